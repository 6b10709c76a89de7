// Builders for decisions, so every decider numbers its events and reports versions the same way.
import { isoTime } from './lifecycleRules';
import type {
  CommandEnvelope,
  Decision,
  Event,
  EventEnvelope,
  LifecycleRules,
  Pool,
  PoolState,
  RejectionCode,
} from './types';

export interface DecisionContext {
  readonly state: PoolState;
  readonly envelope: Pick<CommandEnvelope, 'commandId' | 'requestId' | 'expectedVersion'>;
  readonly poolId: string;
  /** The processor's time for this decision: the events' `occurredAt`. */
  readonly now: number;
  readonly rules: LifecycleRules;
}

export function currentVersion(state: PoolState): number {
  return state.pool?.version ?? 0;
}

/** Accepts with new events numbered from the pool's current version + 1. */
export function accept(
  ctx: DecisionContext,
  events: readonly Event[],
  reservationId: string | null = null,
): Decision {
  const base = currentVersion(ctx.state);
  const envelopes = events.map((event, i): EventEnvelope => ({
    poolId: ctx.poolId,
    version: base + i + 1,
    commandId: ctx.envelope.commandId,
    occurredAt: ctx.now,
    event,
  }));
  return { status: 'accepted', events: envelopes, poolVersion: base + events.length, reservationId };
}

/** Accepts with no events: an idempotent repeat or a no-op. The pool is unchanged. */
export function unchanged(ctx: DecisionContext, reservationId: string | null = null): Decision {
  return accept(ctx, [], reservationId);
}

export function reject(state: PoolState, code: RejectionCode, message: string): Decision {
  return { status: 'rejected', code, message, poolVersion: currentVersion(state) };
}

/** Optimistic concurrency for admin commands: null means "don't care". */
export function versionConflict(ctx: DecisionContext): Decision | null {
  const expected = ctx.envelope.expectedVersion;
  const actual = currentVersion(ctx.state);
  if (expected === null || expected === actual) return null;
  return reject(
    ctx.state,
    'VERSION_CONFLICT',
    `pool ${ctx.poolId} is at version ${actual}, command expected version ${expected}`,
  );
}

export function poolNotFound(ctx: DecisionContext): Decision {
  return reject(ctx.state, 'POOL_NOT_FOUND', `pool ${ctx.poolId} is not defined`);
}

export function poolClosed(ctx: DecisionContext, pool: Pool): Decision {
  return reject(ctx.state, 'POOL_CLOSED', `pool ${pool.poolId} is closed`);
}

/** Every command for an expired pool: it is history, a new slot needs a new pool id. */
export function poolExpired(ctx: DecisionContext, pool: Pool): Decision {
  return reject(
    ctx.state,
    'POOL_EXPIRED',
    `pool ${pool.poolId} expired at ${isoTime(pool.updatedAt)}; define the slot under a new pool id`,
  );
}

/** Release and capacity changes once the slot is over: what happened in it is settled. */
export function slotEnded(ctx: DecisionContext, pool: Pool, what: string): Decision {
  return reject(
    ctx.state,
    'SLOT_ENDED',
    `the slot of pool ${pool.poolId} ended at ${isoTime(pool.slotEnd)}; ${what}`,
  );
}
