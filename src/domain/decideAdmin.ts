// Deciders for the operator's commands. Each checks "is this already done?" before the optimistic
// concurrency check, so a retried admin command is answered as a success rather than a conflict.
import {
  accept,
  poolClosed,
  poolNotFound,
  reject,
  unchanged,
  versionConflict,
  type DecisionContext,
} from './decision';
import type { ChangeCapacity, ClosePool, Decision, DefinePool, Pool } from './types';

export function decideDefinePool(ctx: DecisionContext, command: DefinePool): Decision {
  const pool = ctx.state.pool;
  if (pool === null) {
    const conflict = versionConflict(ctx);
    if (conflict) return conflict;
    const { zone, slotStart, slotEnd, capacity } = command;
    return accept(ctx, [{ type: 'PoolDefined', zone, slotStart, slotEnd, capacity }]);
  }
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
  if (pool.capacity === command.capacity) return unchanged(ctx);
  return changeCapacity(ctx, pool, command.capacity);
}

export function decideClosePool(ctx: DecisionContext, _command: ClosePool): Decision {
  const pool = ctx.state.pool;
  if (pool === null) return poolNotFound(ctx);
  if (pool.status === 'closed') return unchanged(ctx);
  return versionConflict(ctx) ?? accept(ctx, [{ type: 'PoolClosed' }]);
}

/**
 * Lowering capacity below `reserved` is allowed: existing reservations are promises already made, and
 * the pool simply takes no new ones until releases bring it back under capacity.
 */
function changeCapacity(ctx: DecisionContext, pool: Pool, capacity: number): Decision {
  if (pool.status === 'closed') return poolClosed(ctx, pool);
  return (
    versionConflict(ctx) ??
    accept(ctx, [{ type: 'CapacityChanged', capacity, previousCapacity: pool.capacity }])
  );
}

function identityDifferences(pool: Pool, command: DefinePool): string[] {
  const differences: string[] = [];
  for (const key of ['zone', 'slotStart', 'slotEnd'] as const) {
    if (pool[key] !== command[key]) {
      differences.push(
        `${key} (defined ${JSON.stringify(pool[key])}, requested ${JSON.stringify(command[key])})`,
      );
    }
  }
  return differences;
}
