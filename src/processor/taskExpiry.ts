// What a task's punctuation decides (ADR 12): pools whose slot ended `expireAfterMs` ago are retired
// (PoolExpired, the pool and every reservation of it deleted, a marker written), and markers older than
// their retention are dropped. Everything goes into the overlay; the task turns it into records of one
// transaction and, once committed, into one RocksDB write batch.
import type { LifecycleConfig } from '../config';
import {
  decideExpiry,
  evolve,
  expiredPoolMarker,
  expiryCommandId,
  type EventEnvelope,
  type PoolState,
} from '../domain';
import type { TaskStore, WriteOverlay } from '../state';

export interface ExpiryOutcome {
  /** The PoolExpired events, in the order the pools were retired. */
  readonly events: readonly EventEnvelope[];
  /** Pools whose markers were dropped (retention passed). */
  readonly forgotten: readonly string[];
}

export async function expireDue(
  store: TaskStore,
  overlay: WriteOverlay,
  now: number,
  lifecycle: LifecycleConfig,
): Promise<ExpiryOutcome> {
  const events: EventEnvelope[] = [];
  const due = await store.poolsEndedBy(now - lifecycle.expireAfterMs, lifecycle.maxExpiriesPerPunctuation);
  for (const poolId of due) {
    const pool = await overlay.pool(poolId);
    if (!pool) continue;
    const decision = decideExpiry({ pool, reservations: {} }, expiryCommandId(pool), now, lifecycle);
    if (decision.status !== 'accepted' || decision.events.length === 0) continue;
    let state: PoolState = { pool, reservations: {} };
    for (const event of decision.events) state = evolve(state, event);
    if (!state.pool) continue;
    overlay.expirePool(expiredPoolMarker(state.pool), await store.reservationIdsOf(poolId));
    events.push(...decision.events);
  }
  const forgotten: string[] = [];
  for (const marker of await store.markers()) {
    if (marker.expiredAt + lifecycle.expiredPoolRetentionMs > now) continue;
    overlay.dropMarker(marker.poolId);
    forgotten.push(marker.poolId);
  }
  return { events, forgotten };
}
