// Deciders for the operator's commands. Each checks "is this already done?" before the optimistic
// concurrency check, so a retried admin command is answered as a success rather than a conflict.
import {
  accept,
  poolClosed,
  poolExpired,
  poolNotFound,
  reject,
  slotEnded,
  unchanged,
  versionConflict,
  type DecisionContext,
} from './decision';
import { isoTime, resolveBookableUntil } from './lifecycleRules';
import type { ChangeCapacity, ClosePool, Decision, DefinePool, Pool } from './types';

export function decideDefinePool(ctx: DecisionContext, command: DefinePool): Decision {
  const pool = ctx.state.pool;
  if (pool === null) {
    // Nothing can make a slot in the past bookable, so this comes before the version check.
    if (command.slotEnd <= ctx.now) {
      return reject(
        ctx.state,
        'SLOT_ENDED',
        `pool ${ctx.poolId} cannot be defined: its slot ended at ${isoTime(command.slotEnd)}`,
      );
    }
    const conflict = versionConflict(ctx);
    if (conflict) return conflict;
    const { zone, slotStart, slotEnd, capacity } = command;
    // Resolved now and written into the event, so replaying it never depends on today's rules.
    const bookableUntil = resolveBookableUntil(command, ctx.rules);
    return accept(ctx, [{ type: 'PoolDefined', zone, slotStart, slotEnd, capacity, bookableUntil }]);
  }
  if (pool.status === 'expired') return poolExpired(ctx, pool);
  const differences = identityDifferences(pool, command);
  if (differences.length > 0) {
    return reject(
      ctx.state,
      'POOL_ALREADY_DEFINED',
      `pool ${pool.poolId} is already defined with a different ${differences.join(', ')}`,
    );
  }
  if (pool.capacity === command.capacity) return unchanged(ctx);
  // Same slot, new capacity: DefinePool doubles as an upsert so a planning feed can just re-send it.
  return changeCapacity(ctx, pool, command.capacity);
}

export function decideChangeCapacity(ctx: DecisionContext, command: ChangeCapacity): Decision {
  const pool = ctx.state.pool;
  if (pool === null) return poolNotFound(ctx);
  if (pool.status === 'expired') return poolExpired(ctx, pool);
  if (pool.capacity === command.capacity) return unchanged(ctx);
  return changeCapacity(ctx, pool, command.capacity);
}

/** Closing stays possible after the slot ended (until expiry): it only stops new reservations. */
export function decideClosePool(ctx: DecisionContext, _command: ClosePool): Decision {
  const pool = ctx.state.pool;
  if (pool === null) return poolNotFound(ctx);
  if (pool.status === 'expired') return poolExpired(ctx, pool);
  if (pool.status === 'closed') return unchanged(ctx);
  return versionConflict(ctx) ?? accept(ctx, [{ type: 'PoolClosed' }]);
}

/**
 * Lowering capacity below `reserved` is allowed: existing reservations are promises already made, and
 * the pool simply takes no new ones until releases bring it back under capacity. Once the slot has ended
 * its capacity is settled (`SLOT_ENDED`), through ChangeCapacity and the DefinePool upsert alike.
 */
function changeCapacity(ctx: DecisionContext, pool: Pool, capacity: number): Decision {
  if (pool.status === 'closed') return poolClosed(ctx, pool);
  if (ctx.now >= pool.slotEnd) return slotEnded(ctx, pool, 'its capacity can no longer be changed');
  return (
    versionConflict(ctx) ??
    accept(ctx, [{ type: 'CapacityChanged', capacity, previousCapacity: pool.capacity }])
  );
}

/**
 * What a definition of an existing pool may not change. `bookableUntil` counts only when the command
 * gives one: a definition without it keeps the pool's, whatever today's default would be.
 */
function identityDifferences(pool: Pool, command: DefinePool): string[] {
  const differences: string[] = [];
  const describe = (key: string, defined: unknown, requested: unknown) =>
    `${key} (defined ${JSON.stringify(defined)}, requested ${JSON.stringify(requested)})`;
  for (const key of ['zone', 'slotStart', 'slotEnd'] as const) {
    if (pool[key] !== command[key]) differences.push(describe(key, pool[key], command[key]));
  }
  const bookableUntil = command.bookableUntil ?? null;
  if (bookableUntil !== null && bookableUntil !== pool.bookableUntil) {
    differences.push(describe('bookableUntil', pool.bookableUntil, bookableUntil));
  }
  return differences;
}
