import type { EventEnvelope } from '../../../src/domain';
import {
  historyEntryOf,
  historyScanStart,
  selectPoolRecords,
  type JournalRecord,
} from '../../../src/readmodel';

const record = (offset: number, key: string | null, value: string | null = 'v'): JournalRecord => ({
  offset,
  key,
  value: value === null ? null : Buffer.from(value),
});

test('the scan reads at most `scan` records before the end, never before the log start', () => {
  expect(historyScanStart(0, 100, 5000)).toBe(0);
  expect(historyScanStart(0, 10_000, 5000)).toBe(5000);
  expect(historyScanStart(7000, 10_000, 5000)).toBe(7000);
});

test("keeps the pool's own records, newest first, at most `limit`; other keys and tombstones are left out", () => {
  const records = [
    record(10, 'p-1'),
    record(11, 'p-2'),
    record(12, 'p-1'),
    record(13, null),
    record(14, 'p-1', null),
    record(15, 'p-10'),
    record(16, 'p-1'),
  ];
  expect(selectPoolRecords(records, 'p-1', 10).map((r) => r.offset)).toEqual([16, 12, 10]);
  expect(selectPoolRecords(records, 'p-1', 2).map((r) => r.offset)).toEqual([16, 12]);
  expect(selectPoolRecords([...records].reverse(), 'p-1', 2).map((r) => r.offset)).toEqual([16, 12]);
  expect(selectPoolRecords(records, 'p-3', 10)).toEqual([]);
});

test('an entry carries the event type and its own fields as details', () => {
  const envelope: EventEnvelope = {
    poolId: 'p-1',
    version: 3,
    commandId: 'c-1',
    occurredAt: 1_900_000_000_000,
    event: { type: 'CapacityChanged', capacity: 12, previousCapacity: 10 },
  };
  expect(historyEntryOf(42, envelope)).toEqual({
    offset: 42,
    version: 3,
    type: 'CapacityChanged',
    occurredAt: 1_900_000_000_000,
    commandId: 'c-1',
    details: { capacity: 12, previousCapacity: 10 },
  });
});
