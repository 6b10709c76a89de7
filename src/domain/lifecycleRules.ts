// The slot lifecycle's durations and the times derived from them (ADR 12). Pure: `now` and the rules are
// passed in by the processor, which reads the clock and the configuration.
import type { DefinePool, LifecycleRules, PoolDefined } from './types';

const HOUR_MS = 3_600_000;

/** Booking closes 1 hour before the slot starts; a pool expires 1 day after its slot ends. */
export const DEFAULT_RULES: LifecycleRules = Object.freeze({
  bookingCutoffMs: HOUR_MS,
  expireAfterMs: 24 * HOUR_MS,
});

/** The cut-off a new pool gets: the command's own, else `slotStart - rules.bookingCutoffMs`. */
export function resolveBookableUntil(command: DefinePool, rules: LifecycleRules): number {
  return command.bookableUntil ?? command.slotStart - rules.bookingCutoffMs;
}

/** The cut-off a `PoolDefined` gives its pool: events from before the field existed mean `slotStart`. */
export function bookableUntilOf(event: PoolDefined): number {
  return event.bookableUntil ?? event.slotStart;
}

/**
 * Epoch ms as ISO-8601, for messages. A pure conversion, not a clock read. Times beyond what a Date holds
 * (validation only asks for integers) are shown as numbers rather than thrown on: a message must not
 * turn a rejection into a crash.
 */
export function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? `${epochMs} (epoch ms)` : date.toISOString();
}
