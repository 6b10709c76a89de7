import { evolve } from './evolve';
import { initialState } from './initialState';
import type { EventEnvelope, PoolState } from './types';

/** Rebuilds a pool's state from its events (in version order), optionally on top of a snapshot. */
export function foldEvents(events: readonly EventEnvelope[], from: PoolState = initialState): PoolState {
  return events.reduce(evolve, from);
}

/**
 * Time travel: the pool as it was at `time` (epoch ms), folding the events with occurredAt <= time.
 * Stops at the first later event rather than skipping it: if a clock stepped back between processors,
 * applying a later version without an earlier one would build a state that never existed.
 */
export function stateAsOf(events: readonly EventEnvelope[], time: number): PoolState {
  const cut = events.findIndex((e) => e.occurredAt > time);
  return foldEvents(cut === -1 ? events : events.slice(0, cut));
}
