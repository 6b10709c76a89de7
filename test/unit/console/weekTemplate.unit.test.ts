import {
  dayStartMs,
  minutesOf,
  mondayOf,
  poolIdFor,
  slotsOf,
  TemplateError,
  type WeekTemplate,
} from '../../../console/src/weekTemplate';
import { POOL_ID_PATTERN } from '../../../src/domain';

const template: WeekTemplate = {
  zone: 'north',
  weekStart: '2030-03-04',
  days: 7,
  dayStart: '08:00',
  dayEnd: '20:00',
  slotMinutes: 120,
  capacity: 10,
};

test('a week of 2-hour slots from 08:00 to 20:00: 7 x 6 slots, day by day, with deterministic pool ids', () => {
  const slots = slotsOf(template);
  expect(slots).toHaveLength(42);
  expect(slots[0]).toEqual({
    poolId: 'north-20300304-0800',
    zone: 'north',
    slotStart: '2030-03-04T08:00:00.000Z',
    slotEnd: '2030-03-04T10:00:00.000Z',
    capacity: 10,
  });
  expect(slots[5]).toMatchObject({ poolId: 'north-20300304-1800', slotEnd: '2030-03-04T20:00:00.000Z' });
  expect(slots[41]).toMatchObject({ poolId: 'north-20300310-1800', slotStart: '2030-03-10T18:00:00.000Z' });
  expect(new Set(slots.map((s) => s.poolId)).size).toBe(42);
  for (const slot of slots) expect(slot.poolId).toMatch(POOL_ID_PATTERN);
  expect(slotsOf(template)).toEqual(slots); // the same template defines the same pools again
});

test('slots that do not fit the daily hours are left out; odd lengths and month ends work', () => {
  const slots = slotsOf({
    ...template,
    weekStart: '2030-02-28',
    days: 2,
    dayStart: '09:30',
    dayEnd: '12:00',
    slotMinutes: 45,
  });
  expect(slots.map((s) => s.poolId)).toEqual([
    'north-20300228-0930',
    'north-20300228-1015',
    'north-20300228-1100',
    'north-20300301-0930',
    'north-20300301-1015',
    'north-20300301-1100',
  ]);
  expect(slotsOf({ ...template, days: 1, dayStart: '22:00', dayEnd: '24:00' }).map((s) => s.slotEnd)).toEqual(
    ['2030-03-05T00:00:00.000Z'],
  );
});

test('the longest zone still gives pool ids within the 64-character limit', () => {
  const zone = 'z'.repeat(50);
  expect(poolIdFor(zone, Date.parse('2030-12-31T23:45:00Z'))).toMatch(POOL_ID_PATTERN);
});

test.each([
  [{ zone: 'north east' }, /Zone/],
  [{ zone: 'z'.repeat(51) }, /Zone/],
  [{ weekStart: '2030-02-30' }, /Week start/],
  [{ days: 8 }, /Days/],
  [{ dayStart: '8:00' }, /Hours/],
  [{ dayEnd: '07:00' }, /"to" must be after "from"/],
  [{ slotMinutes: 10 }, /Slot length/],
  [{ slotMinutes: 720, dayEnd: '12:00' }, /longer than the daily hours/],
  [{ capacity: -1 }, /Capacity/],
  [{ capacity: 1.5 }, /Capacity/],
])('%o is refused in words', (change, message) => {
  expect(() => slotsOf({ ...template, ...change })).toThrow(TemplateError);
  expect(() => slotsOf({ ...template, ...change })).toThrow(message);
});

test('dates and times', () => {
  expect(minutesOf('00:00')).toBe(0);
  expect(minutesOf('24:00')).toBe(1440);
  expect(minutesOf('24:01')).toBeNull();
  expect(dayStartMs('2030-03-04')).toBe(Date.parse('2030-03-04T00:00:00Z'));
  expect(dayStartMs('2030-13-01')).toBeNull();
  expect(mondayOf(Date.parse('2030-03-04T00:00:00Z'))).toBe('2030-03-04');
  expect(mondayOf(Date.parse('2030-03-10T23:59:59Z'))).toBe('2030-03-04');
  expect(mondayOf(Date.parse('2030-03-11T00:00:00Z'))).toBe('2030-03-11');
});
