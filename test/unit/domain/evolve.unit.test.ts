import type { Event, EventEnvelope, PoolState } from '../../../src/domain';
import { availableOf, evolve, initialState, reservationIdFor } from '../../../src/domain';
import {
  BOOKABLE_UNTIL,
  capacityChanged,
  POOL,
  poolClosed,
  poolDefined,
  released,
  reserved,
  SLOT_END,
  SLOT_START,
  ZONE,
} from './fixtures';

const at = (version: number, event: Event, occurredAt = 1000 * version): EventEnvelope => ({
  poolId: POOL,
  version,
  commandId: `c${version}`,
  occurredAt,
  event,
});

describe('evolve', () => {
  const defined = evolve(initialState, at(1, poolDefined(10)));

  it('PoolDefined creates an open, empty pool at the event version', () => {
    expect(defined).toEqual({
      pool: {
        poolId: POOL,
        zone: ZONE,
        slotStart: SLOT_START,
        slotEnd: SLOT_END,
        bookableUntil: BOOKABLE_UNTIL,
        capacity: 10,
        reserved: 0,
        status: 'open',
        version: 1,
        updatedAt: 1000,
      },
      reservations: {},
    });
  });

  it('CapacityChanged sets capacity and stamps version and time', () => {
    expect(evolve(defined, at(2, capacityChanged(4, 10))).pool).toMatchObject({
      capacity: 4,
      version: 2,
      updatedAt: 2000,
    });
  });

  it('CapacityReserved adds to reserved and records the reservation', () => {
    const state = evolve(defined, at(2, reserved('order-1', 3)));
    const id = reservationIdFor(POOL, 'order-1');
    expect(state.pool).toMatchObject({ reserved: 3, version: 2 });
    expect(state.reservations[id]).toEqual({
      reservationId: id,
      poolId: POOL,
      units: 3,
      status: 'reserved',
      requestId: 'order-1',
      createdAt: 2000,
      releasedAt: null,
    });
  });

  it('CapacityReleased subtracts units and marks the reservation released', () => {
    const state = [at(2, reserved('order-1', 3)), at(3, released('order-1', 3))].reduce(evolve, defined);
    expect(state.pool).toMatchObject({ reserved: 0, version: 3, updatedAt: 3000 });
    expect(state.reservations[reservationIdFor(POOL, 'order-1')]).toMatchObject({
      status: 'released',
      createdAt: 2000,
      releasedAt: 3000,
    });
  });

  it('CapacityReleased on a partial state (reservation not loaded) still fixes the totals', () => {
    const partial: PoolState = { pool: { ...defined.pool!, reserved: 3 }, reservations: {} };
    const state = evolve(partial, at(2, released('order-1', 3)));
    expect(state.pool).toMatchObject({ reserved: 0, version: 2 });
    expect(state.reservations).toEqual({});
  });

  it('PoolClosed closes the pool and keeps reservations', () => {
    const state = [at(2, reserved('a', 3)), at(3, poolClosed())].reduce(evolve, defined);
    expect(state.pool).toMatchObject({ status: 'closed', reserved: 3, version: 3 });
    expect(Object.keys(state.reservations)).toHaveLength(1);
  });

  it('is pure: returns new objects and leaves its input untouched', () => {
    const before = JSON.stringify(defined);
    const after = evolve(defined, at(2, reserved('a', 3)));
    expect(JSON.stringify(defined)).toBe(before);
    expect(after).not.toBe(defined);
    expect(after.pool).not.toBe(defined.pool);
    expect(after.reservations).not.toBe(defined.reservations);
  });

  it('refuses a pool event before the pool is defined', () => {
    expect(() => evolve(initialState, at(1, poolClosed()))).toThrow(
      /PoolClosed \(version 1\) for pool .* before PoolDefined/,
    );
  });

  it('availableOf is capacity minus reserved, never negative', () => {
    const state = [at(2, reserved('a', 8)), at(3, capacityChanged(5, 10))].reduce(evolve, defined);
    expect(availableOf(defined.pool!)).toBe(10);
    expect(availableOf(evolve(defined, at(2, reserved('a', 8))).pool!)).toBe(2);
    expect(availableOf(state.pool!)).toBe(0);
  });

  it('initialState has no pool and no reservations', () => {
    expect(initialState).toEqual({ pool: null, reservations: {} });
  });
});
