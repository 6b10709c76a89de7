import { cellKey, fillOf, gridOf, type PoolView } from '../../../console/src/gridModel';

const pool = (
  poolId: string,
  slotStart: string,
  slotEnd: string,
  over: Partial<PoolView> = {},
): PoolView => ({
  poolId,
  zone: 'north',
  slotStart,
  slotEnd,
  capacity: 10,
  reserved: 0,
  available: 10,
  status: 'open',
  version: 1,
  ...over,
});

test('days are columns from the week start, slot times are rows in order; pools outside the week are left out', () => {
  const weekStart = Date.parse('2030-03-04T00:00:00Z');
  const model = gridOf(
    [
      pool('b', '2030-03-05T10:00:00.000Z', '2030-03-05T12:00:00.000Z'),
      pool('a', '2030-03-04T08:00:00.000Z', '2030-03-04T10:00:00.000Z'),
      pool('before', '2030-03-03T08:00:00.000Z', '2030-03-03T10:00:00.000Z'),
      pool('after', '2030-03-11T08:00:00.000Z', '2030-03-11T10:00:00.000Z'),
    ],
    weekStart,
  );
  expect(model.days.map((d) => d.label)).toEqual([
    'Mon 03-04',
    'Tue 03-05',
    'Wed 03-06',
    'Thu 03-07',
    'Fri 03-08',
    'Sat 03-09',
    'Sun 03-10',
  ]);
  expect(model.rows).toEqual(['08:00–10:00', '10:00–12:00']);
  expect(model.cells.get(cellKey(0, '08:00–10:00'))?.poolId).toBe('a');
  expect(model.cells.get(cellKey(1, '10:00–12:00'))?.poolId).toBe('b');
  expect(model.cells.size).toBe(2);
});

test('fill: closed first, then full, then by reserved / capacity', () => {
  const at = (reserved: number, over: Partial<PoolView> = {}) =>
    fillOf(pool('p', '', '', { reserved, available: 10 - reserved, ...over }));
  expect(at(0)).toBe('empty');
  expect(at(4)).toBe('low');
  expect(at(5)).toBe('mid');
  expect(at(8)).toBe('high');
  expect(at(10)).toBe('full');
  expect(at(3, { status: 'closed' })).toBe('closed');
  expect(at(0, { capacity: 0, available: 0 })).toBe('full');
  expect(at(12, { available: 0 })).toBe('full'); // capacity lowered below what is reserved
});
