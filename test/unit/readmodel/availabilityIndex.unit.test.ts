import type { Pool } from '../../../src/domain';
import { AvailabilityIndex } from '../../../src/readmodel';

const pool = (poolId: string, slotStart: number, over: Partial<Pool> = {}): Pool => ({
  poolId,
  zone: 'north',
  slotStart,
  slotEnd: slotStart + 2,
  bookableUntil: slotStart,
  capacity: 2,
  reserved: 0,
  status: 'open',
  version: 1,
  updatedAt: 0,
  ...over,
});

test('inRange lists every pool of the zone in [from, to), full and closed ones too; query leaves those out', () => {
  const index = new AvailabilityIndex();
  index.apply('a', pool('a', 10));
  index.apply('full', pool('full', 20, { reserved: 2 }));
  index.apply('closed', pool('closed', 30, { status: 'closed' }));
  index.apply('late', pool('late', 40));
  index.apply('south', pool('south', 20, { zone: 'south' }));
  expect(index.inRange('north', 10, 40).map((p) => p.poolId)).toEqual(['a', 'full', 'closed']);
  expect(index.inRange('north', null, null)).toHaveLength(4);
  expect(index.query({ zone: 'north', from: 10, to: 40, units: 1 }).map((p) => p.poolId)).toEqual(['a']);
});

test('with bookableAt, query leaves out pools whose booking has closed by then (at the cut-off itself too)', () => {
  const index = new AvailabilityIndex();
  index.apply('early', pool('early', 100, { bookableUntil: 50 }));
  index.apply('late', pool('late', 200, { bookableUntil: 150 }));
  index.apply('expired', pool('expired', 300, { bookableUntil: 1_000, status: 'expired' }));
  const ids = (bookableAt: number | null) =>
    index.query({ zone: 'north', from: null, to: null, units: 1, bookableAt }).map((p) => p.poolId);
  expect(ids(null)).toEqual(['early', 'late']);
  expect(ids(49)).toEqual(['early', 'late']);
  expect(ids(50)).toEqual(['late']);
  expect(ids(150)).toEqual([]);
  // An expired pool is never offered; inRange (the planner's view) still lists everything it holds.
  expect(index.inRange('north', null, null).map((p) => p.poolId)).toEqual(['early', 'late', 'expired']);
});

test('change listeners hear each applied change (not stale versions) until they unsubscribe', () => {
  const index = new AvailabilityIndex();
  const heard: Array<[string, number | null]> = [];
  const unsubscribe = index.onChange((poolId, p) => heard.push([poolId, p?.version ?? null]));
  index.apply('a', pool('a', 10, { version: 2 }));
  index.apply('a', pool('a', 10, { version: 1 })); // stale: ignored
  index.apply('a', null);
  index.apply('b', null); // nothing to delete
  unsubscribe();
  index.apply('c', pool('c', 10));
  expect(heard).toEqual([
    ['a', 2],
    ['a', null],
  ]);
});

test('a listener that throws is dropped and does not stop the others', () => {
  const index = new AvailabilityIndex();
  const good = jest.fn();
  index.onChange(() => {
    throw new Error('closed stream');
  });
  index.onChange(good);
  index.apply('a', pool('a', 10));
  index.apply('b', pool('b', 10));
  expect(good).toHaveBeenCalledTimes(2);
});
