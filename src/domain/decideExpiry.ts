// Expiry (ADR 12): a pool's slot is long over, so the pool becomes history. Decided like a command, but
// triggered by the processor's wall-clock punctuation rather than by a caller, hence its own entry point.
import { accept, type DecisionContext } from './decision';
import type { Decision, ExpiredPool, LifecycleRules, Pool, PoolState } from './types';

/** When a pool expires: `rules.expireAfterMs` after its slot ends. */
export function expiresAt(pool: Pick<Pool, 'slotEnd'>, rules: LifecycleRules): number {
  return pool.slotEnd + rules.expireAfterMs;
}

/**
 * The command id of a pool's expiry event: deterministic (`expiry:<poolId>:<version>`, the version the
 * event gets), so a punctuation redone after a failed transaction writes the very same event.
 */
export function expiryCommandId(pool: Pick<Pool, 'poolId' | 'version'>): string {
  return `expiry:${pool.poolId}:${pool.version + 1}`;
}

/**
 * Decides whether the pool expires at `now`: accepted with one `PoolExpired` (version + 1, `occurredAt`
 * = now, `commandId` as given) when the pool exists, has not expired and `now >= expiresAt`. Never
 * rejects: when there is nothing to do (no pool, already expired, not due yet) it is accepted with no
 * events and the pool's current version, like an idempotent repeat, so a punctuation may ask again.
 */
export function decideExpiry(
  state: PoolState,
  commandId: string,
  now: number,
  rules: LifecycleRules,
): Decision {
  const pool = state.pool;
  const ctx: DecisionContext = {
    state,
    envelope: { commandId, requestId: commandId, expectedVersion: null },
    poolId: pool?.poolId ?? '',
    now,
    rules,
  };
  const due = pool !== null && pool.status !== 'expired' && now >= expiresAt(pool, rules);
  return accept(ctx, due ? [{ type: 'PoolExpired' }] : []);
}

/** The marker kept for an expired pool (the `expired-pools` changelog); `expiredAt` = its `updatedAt`. */
export function expiredPoolMarker(pool: Pool): ExpiredPool {
  if (pool.status !== 'expired') {
    throw new Error(`expiredPoolMarker: pool ${pool.poolId} is ${pool.status}, not expired`);
  }
  const { poolId, zone, slotStart, slotEnd, version, updatedAt } = pool;
  return { poolId, zone, slotStart, slotEnd, version, expiredAt: updatedAt };
}

/**
 * The pool to decide against when only its marker is left: status `expired` at the marker's version, so
 * every command gets `POOL_EXPIRED` with the expiry time. Capacity and reservations are gone (0 here);
 * `bookableUntil` is not kept and reads as `slotStart`. For deciding only, not for showing.
 */
export function poolOfExpiredMarker(marker: ExpiredPool): Pool {
  return {
    poolId: marker.poolId,
    zone: marker.zone,
    slotStart: marker.slotStart,
    slotEnd: marker.slotEnd,
    bookableUntil: marker.slotStart,
    capacity: 0,
    reserved: 0,
    status: 'expired',
    version: marker.version,
    updatedAt: marker.expiredAt,
  };
}
