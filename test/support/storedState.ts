// Pools and reservations as a task's store holds them, for unit tests of the store and of expiry.
import { reservationIdFor, type Pool, type Reservation } from '../../src/domain';

const HOUR = 3_600_000;

/** An open pool whose two-hour slot ends at `slotEnd`, bookable until an hour before it starts. */
export const storedPool = (poolId: string, slotEnd: number, version = 2): Pool => ({
  poolId,
  zone: 'north',
  slotStart: slotEnd - 2 * HOUR,
  slotEnd,
  bookableUntil: slotEnd - 3 * HOUR,
  capacity: 10,
  reserved: 2,
  status: 'open',
  version,
  updatedAt: slotEnd - 5 * HOUR,
});

export const storedReservation = (poolId: string, requestId: string): Reservation => ({
  reservationId: reservationIdFor(poolId, requestId),
  poolId,
  units: 1,
  status: 'reserved',
  requestId,
  createdAt: 1,
  releasedAt: null,
});
