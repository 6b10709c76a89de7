// Deciders for customer traffic. Both look up only the one reservation the command names, because
// the processor loads just that one from the state store.
import { availableOf } from './availableOf';
import {
  accept,
  poolClosed,
  poolExpired,
  poolNotFound,
  reject,
  slotEnded,
  unchanged,
  type DecisionContext,
} from './decision';
import { isoTime } from './lifecycleRules';
import { reservationIdFor } from './reservationId';
import type { Decision, ReleaseCapacity, ReserveCapacity } from './types';

export function decideReserveCapacity(ctx: DecisionContext, command: ReserveCapacity): Decision {
  const pool = ctx.state.pool;
  if (pool === null) return poolNotFound(ctx);
  // First, so the answer does not depend on whether the state still holds the expired pool's
  // reservations (the processor deletes them when the pool expires).
  if (pool.status === 'expired') return poolExpired(ctx, pool);
  const reservationId = reservationIdFor(pool.poolId, ctx.envelope.requestId);
  // A retry (same requestId) finds its reservation and gets the original answer, even if the pool has
  // since filled up, closed, passed its booking cut-off, or the reservation was released; the same key
  // asking for other units is not a retry but a mistake, and answering it as one would report units the
  // pool does not hold.
  const existing = ctx.state.reservations[reservationId];
  if (existing !== undefined) {
    if (existing.units === command.units) return unchanged(ctx, reservationId);
    return reject(
      ctx.state,
      'IDEMPOTENCY_KEY_REUSED',
      `idempotency key ${ctx.envelope.requestId} was used for reservation ${reservationId} of ` +
        `${existing.units} units; this request asks for ${command.units} (use a new key for a new reservation)`,
    );
  }
  if (pool.status === 'closed') return poolClosed(ctx, pool);
  if (ctx.now >= pool.bookableUntil) {
    return reject(
      ctx.state,
      'BOOKING_CLOSED',
      `booking for pool ${pool.poolId} closed at ${isoTime(pool.bookableUntil)} ` +
        `(slot ${isoTime(pool.slotStart)} to ${isoTime(pool.slotEnd)})`,
    );
  }
  if (pool.reserved + command.units > pool.capacity) {
    return reject(
      ctx.state,
      'INSUFFICIENT_CAPACITY',
      `pool ${pool.poolId} has ${availableOf(pool)} units available, ${command.units} requested ` +
        `(capacity ${pool.capacity}, reserved ${pool.reserved})`,
    );
  }
  return accept(
    ctx,
    [{ type: 'CapacityReserved', reservationId, units: command.units, requestId: ctx.envelope.requestId }],
    reservationId,
  );
}

/**
 * Releasing works on closed pools too: handing capacity back is always safe, until the slot has ended
 * (`SLOT_ENDED`: what was used is settled). A released reservation keeps answering its release.
 */
export function decideReleaseCapacity(ctx: DecisionContext, command: ReleaseCapacity): Decision {
  const { reservationId } = command;
  const pool = ctx.state.pool;
  if (pool !== null && pool.status === 'expired') return poolExpired(ctx, pool);
  const reservation = ctx.state.reservations[reservationId];
  if (pool === null || reservation === undefined) {
    return reject(
      ctx.state,
      'RESERVATION_NOT_FOUND',
      `reservation ${reservationId} does not exist in pool ${ctx.poolId}`,
    );
  }
  if (reservation.status === 'released') return unchanged(ctx, reservationId);
  if (ctx.now >= pool.slotEnd) return slotEnded(ctx, pool, 'its reservations can no longer be released');
  return accept(ctx, [{ type: 'CapacityReleased', reservationId, units: reservation.units }], reservationId);
}
