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
