// Builders for commands and events in domain tests: one pool, fixed times, readable defaults.
import type { Command, CommandEnvelope, DefinePool, Event } from '../../../src/domain';
import { DEFAULT_RULES, reservationIdFor } from '../../../src/domain';

export const POOL = 'zone-n1_2025-06-01T10';
export const ZONE = 'north-1';
export const SLOT_START = 1_748_772_000_000;
export const SLOT_END = SLOT_START + 3_600_000;
/** Well before the booking cut-off: 20 hours before the slot. */
export const NOW = 1_748_700_000_000;
/** The cut-off a pool defined under the default rules gets: one hour before the slot. */
export const BOOKABLE_UNTIL = SLOT_START - DEFAULT_RULES.bookingCutoffMs;

let sequence = 0;

/** Wraps a command; each call gets a fresh commandId so tests never share one by accident. */
export function envelope(
  command: Command,
  overrides: Partial<Omit<CommandEnvelope, 'command'>> = {},
): CommandEnvelope {
  sequence += 1;
  return {
    commandId: `cmd-${sequence}`,
    requestId: `req-${sequence}`,
    issuedAt: NOW,
    expectedVersion: null,
    command,
    ...overrides,
  };
}

export function definePool(overrides: Partial<Omit<DefinePool, 'type'>> = {}): DefinePool {
  return {
    type: 'DefinePool',
    poolId: POOL,
    zone: ZONE,
    slotStart: SLOT_START,
    slotEnd: SLOT_END,
    capacity: 10,
    ...overrides,
  };
}

/** As `DefinePool` under the default rules writes it; pass null for an event from before the cut-off existed. */
export const poolDefined = (capacity = 10, bookableUntil: number | null = BOOKABLE_UNTIL): Event => ({
  type: 'PoolDefined',
  zone: ZONE,
  slotStart: SLOT_START,
  slotEnd: SLOT_END,
  capacity,
  bookableUntil,
});

export const capacityChanged = (capacity: number, previousCapacity: number): Event => ({
  type: 'CapacityChanged',
  capacity,
  previousCapacity,
});

export const reserved = (requestId: string, units: number, poolId = POOL): Event => ({
  type: 'CapacityReserved',
  reservationId: reservationIdFor(poolId, requestId),
  units,
  requestId,
});

export const released = (requestId: string, units: number, poolId = POOL): Event => ({
  type: 'CapacityReleased',
  reservationId: reservationIdFor(poolId, requestId),
  units,
});

export const poolClosed = (): Event => ({ type: 'PoolClosed' });
export const poolExpired = (): Event => ({ type: 'PoolExpired' });

export const reserve = (units: number, poolId = POOL): Command => ({
  type: 'ReserveCapacity',
  poolId,
  units,
});
export const release = (reservationId: string): Command => ({ type: 'ReleaseCapacity', reservationId });
export const changeCapacity = (capacity: number, poolId = POOL): Command => ({
  type: 'ChangeCapacity',
  poolId,
  capacity,
});
export const closePool = (poolId = POOL): Command => ({ type: 'ClosePool', poolId });
