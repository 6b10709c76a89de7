import { SseParser } from '../../../console/src/sseParser';
import { encodeSseEvent, sseComment } from '../../../src/gateway';

test('events split across chunks anywhere, with CRLF, comments, ids and multi-line data', () => {
  const text =
    'event: pool\r\ndata: {"a":1}\r\n\r\n: keep-alive\n\nid: 7\nevent: snapshot\ndata: x\ndata: y\n\ndata: plain\n\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const parser = new SseParser();
    const messages = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
    expect(messages).toEqual([
      { event: 'pool', data: '{"a":1}', id: null },
      { event: 'snapshot', data: 'x\ny', id: '7' },
      { event: 'message', data: 'plain', id: '7' },
    ]);
  }
});

test("what the gateway encodes, the console's parser reads back", () => {
  const parser = new SseParser();
  const data = { poolId: 'p-1', note: 'two\nlines', reserved: 3 };
  const messages = parser.push(
    sseComment('hello\nworld') + encodeSseEvent('pool', data) + encodeSseEvent('status', [1]),
  );
  expect(messages.map((m) => [m.event, JSON.parse(m.data)])).toEqual([
    ['pool', data],
    ['status', [1]],
  ]);
});
