import type { Event, EventEnvelope } from '../../../src/domain';
import { foldEvents, initialState, stateAsOf } from '../../../src/domain';
import { capacityChanged, POOL, poolClosed, poolDefined, released, reserved } from './fixtures';

const history: Event[] = [
  poolDefined(10), // t=100
  reserved('a', 4), // t=200
  reserved('b', 3), // t=300
  capacityChanged(6, 10), // t=400
  released('a', 4), // t=500
  poolClosed(), // t=600
];
const events: EventEnvelope[] = history.map((event, i) => ({
  poolId: POOL,
  version: i + 1,
  commandId: `c${i + 1}`,
  occurredAt: 100 * (i + 1),
  event,
}));

describe('foldEvents', () => {
  it('folds nothing to the initial state', () => {
    expect(foldEvents([])).toBe(initialState);
  });

  it('folds the whole history', () => {
    expect(foldEvents(events).pool).toMatchObject({ capacity: 6, reserved: 3, status: 'closed', version: 6 });
  });

  it('continues from a snapshot', () => {
    expect(foldEvents(events.slice(3), foldEvents(events.slice(0, 3)))).toEqual(foldEvents(events));
  });
});

describe('stateAsOf (time travel)', () => {
  it.each([
    [99, null],
    [100, { capacity: 10, reserved: 0, version: 1, status: 'open' }],
    [250, { capacity: 10, reserved: 4, version: 2 }],
    [300, { capacity: 10, reserved: 7, version: 3 }],
    [450, { capacity: 6, reserved: 7, version: 4 }],
    [599, { capacity: 6, reserved: 3, version: 5, status: 'open' }],
    [600, { version: 6, status: 'closed', updatedAt: 600 }],
    [10_000, { version: 6, status: 'closed' }],
  ])('at t=%p', (time, expected) => {
    const state = stateAsOf(events, time);
    if (expected === null) expect(state.pool).toBeNull();
    else expect(state.pool).toMatchObject(expected);
  });

  it('shows a reservation as reserved before its release and released after', () => {
    const [id] = Object.keys(stateAsOf(events, 200).reservations);
    expect(stateAsOf(events, 499).reservations[id!]).toMatchObject({ status: 'reserved', releasedAt: null });
    expect(stateAsOf(events, 500).reservations[id!]).toMatchObject({ status: 'released', releasedAt: 500 });
  });

  it('stops at the first later event if a clock stepped back, rather than skipping a version', () => {
    const skewed = events.map((e) => (e.version === 3 ? { ...e, occurredAt: 900 } : e));
    expect(stateAsOf(skewed, 450).pool).toMatchObject({ version: 2, reserved: 4 });
  });
});
