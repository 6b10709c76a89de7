// The decider: given one pool's state and a command, say what happens. Pure and deterministic (time and
// the lifecycle rules are passed in), so the processor can re-run it on replay and get the same answer.
import { decideChangeCapacity, decideClosePool, decideDefinePool } from './decideAdmin';
import { reject, type DecisionContext } from './decision';
import { decideReleaseCapacity, decideReserveCapacity } from './decideReservation';
import { DEFAULT_RULES } from './lifecycleRules';
import { targetPoolId } from './targetPoolId';
import type { CommandEnvelope, Decision, LifecycleRules, PoolState } from './types';
import { validateCommand } from './validateCommand';

/**
 * Decides a command against the state of its target pool (`targetPoolId(envelope.command)`) at `now`
 * (epoch ms, the processor's time; also the events' `occurredAt`). `state.reservations` need only hold the
 * reservation the command names: see `PoolState`. `rules` only shape new facts (a new pool's default
 * booking cut-off), never how existing events read.
 */
export function decide(
  state: PoolState,
  envelope: CommandEnvelope,
  now: number,
  rules: LifecycleRules = DEFAULT_RULES,
): Decision {
  const problems = validateCommand(envelope);
  if (problems.length > 0) return reject(state, 'INVALID_COMMAND', problems.join('; '));

  const command = envelope.command;
  const poolId = targetPoolId(command);
  // Deciding against another pool's state would corrupt both: that is a caller bug, not a rejection.
  if (state.pool !== null && state.pool.poolId !== poolId) {
    throw new Error(
      `decide: command targets pool ${poolId} but was given the state of pool ${state.pool.poolId}`,
    );
  }
  const ctx: DecisionContext = { state, envelope, poolId, now, rules };
  switch (command.type) {
    case 'DefinePool':
      return decideDefinePool(ctx, command);
    case 'ChangeCapacity':
      return decideChangeCapacity(ctx, command);
    case 'ReserveCapacity':
      return decideReserveCapacity(ctx, command);
    case 'ReleaseCapacity':
      return decideReleaseCapacity(ctx, command);
    case 'ClosePool':
      return decideClosePool(ctx, command);
    default:
      return assertNever(command);
  }
}

function assertNever(value: never): never {
  throw new Error(`decide: unhandled command ${JSON.stringify(value)}`);
}
