// The installed kafkajs must carry our read_committed fix (patches/kafkajs+2.2.4.patch). The scenario is
// the one the zombie chaos test caught: two producers fenced at once, their aborted transactions
// interleaved, listed by the broker in ABORT-marker order.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (args: {
  messages: Array<{
    offset: string;
    key: Buffer | null;
    batchContext: { producerId: string; inTransaction: boolean };
  }>;
  abortedTransactions: Array<{ producerId: string; firstOffset: string }>;
}) => Array<{ offset: string }>;

const record = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from('k'),
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  batchContext: { producerId, inTransaction: true },
});
const commitMarker = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 1]),
  batchContext: { producerId, inTransaction: true },
});

test('aborted transactions listed out of first-offset order are all filtered', () => {
  const messages = [
    record(131, 'zombie'), // aborted, first offset 131
    record(133, 'other'), // aborted, first offset 133
    record(135, 'live'), // committed
    commitMarker(136, 'live'),
    abortMarker(147, 'other'),
    abortMarker(148, 'zombie'),
    record(149, 'zombie'), // the same producer id later commits again
    commitMarker(150, 'zombie'),
  ];
  // The broker's order: by ABORT marker (147 before 148), not by first offset.
  const abortedTransactions = [
    { producerId: 'other', firstOffset: '133' },
    { producerId: 'zombie', firstOffset: '131' },
  ];
  const kept = filterAbortedMessages({ messages, abortedTransactions }).map((m) => Number(m.offset));
  expect(kept).not.toContain(131);
  expect(kept).not.toContain(133);
  expect(kept).toEqual(expect.arrayContaining([135, 149]));
});

test('several aborted transactions starting before the first fetched message are all applied', () => {
  const messages = [
    record(105, 'b'),
    record(106, 'a'),
    abortMarker(107, 'a'),
    abortMarker(108, 'b'),
    record(109, 'c'),
  ];
  const abortedTransactions = [
    { producerId: 'a', firstOffset: '100' },
    { producerId: 'b', firstOffset: '101' },
  ];
  expect(filterAbortedMessages({ messages, abortedTransactions }).map((m) => Number(m.offset))).toEqual([
    107, 108, 109,
  ]);
});
