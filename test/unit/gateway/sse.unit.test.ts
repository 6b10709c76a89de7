import { CoalescingStream, encodeSseEvent, type SseSink } from '../../../src/gateway';

test('an event is its name, one data line per line of JSON, and a blank line', () => {
  expect(encodeSseEvent('pool', { a: 1 })).toBe('event: pool\ndata: {"a":1}\n\n');
  expect(encodeSseEvent('status', 'x', '12')).toBe('id: 12\nevent: status\ndata: "x"\n\n');
  expect(() => encodeSseEvent('a\nb', 1)).toThrow(/single lines/);
});

/** A socket that accepts `room` writes, then is congested until drain(). */
class FakeSink implements SseSink {
  written: string[] = [];
  private onDrain: (() => void) | null = null;
  constructor(public room: number) {}
  write(chunk: string): boolean {
    this.written.push(chunk);
    return --this.room > 0;
  }
  once(_event: 'drain', listener: () => void): void {
    this.onDrain = listener;
  }
  drain(room: number): void {
    this.room = room;
    const listener = this.onDrain;
    this.onDrain = null;
    listener?.();
  }
}

test('writes through while the socket takes data; while congested keeps only the newest chunk per key', () => {
  const sink = new FakeSink(2);
  const stream = new CoalescingStream(sink, 10, () => undefined);
  stream.send('snapshot', 's');
  stream.send('pool:a', 'a1'); // fills the socket
  stream.send('pool:a', 'a2');
  stream.send('pool:b', 'b1');
  stream.send('pool:a', 'a3');
  stream.send('status', 'st');
  expect(sink.written).toEqual(['s', 'a1']);
  expect(stream.backlog).toBe(3);
  sink.drain(100);
  expect(sink.written).toEqual(['s', 'a1', 'b1', 'a3', 'st']);
  expect(stream.backlog).toBe(0);
  stream.send('pool:c', 'c1');
  expect(sink.written.at(-1)).toBe('c1');
});

test('a drain that fills the socket again keeps the rest for the next drain', () => {
  const sink = new FakeSink(1);
  const stream = new CoalescingStream(sink, 10, () => undefined);
  stream.send('x', 'x');
  for (const key of ['a', 'b', 'c']) stream.send(key, key);
  sink.drain(1);
  expect(sink.written).toEqual(['x', 'a']);
  sink.drain(10);
  expect(sink.written).toEqual(['x', 'a', 'b', 'c']);
});

test('past maxPending keys the stream gives up: overflow is reported once and nothing more is written', () => {
  const sink = new FakeSink(1);
  const overflow = jest.fn();
  const stream = new CoalescingStream(sink, 2, overflow);
  stream.send('first', 'f');
  stream.send('a', 'a');
  stream.send('b', 'b');
  expect(overflow).not.toHaveBeenCalled();
  stream.send('c', 'c');
  expect(overflow).toHaveBeenCalledTimes(1);
  stream.send('d', 'd');
  sink.drain(10);
  expect(sink.written).toEqual(['f']);
  expect(overflow).toHaveBeenCalledTimes(1);
});
