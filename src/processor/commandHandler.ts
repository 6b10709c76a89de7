// Handles one command message against a task's overlay: decode, check routing, load the pool and the one
// reservation the command names, decide, evolve. No Kafka I/O here; the task turns the outcome into
// records of one transaction.
import { COMMAND_ID_HEADER, type CommandResult } from '../contracts';
import {
  decide,
  evolve,
  reservationIdFor,
  targetPoolId,
  isValidPoolId,
  poolOfExpiredMarker,
  type CommandEnvelope,
  type EventEnvelope,
  type LifecycleRules,
  type Pool,
  type PoolState,
  type Reservation,
} from '../domain';
import { describeError, isRetriable } from '../errors';
import type { WriteOverlay } from '../state';

export type ProcessingCode = 'UNDECODABLE' | 'MISROUTED';

export interface RawCommand {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface HandledCommand {
  readonly commandType: string | null;
  /** Null when no command id could be read: then only a dead letter is written. */
  readonly result: CommandResult | null;
  readonly events: readonly EventEnvelope[];
  /** The pool after the command, when it changed. */
  readonly pool: Pool | null;
  readonly reservations: readonly Reservation[];
  readonly deadLetter: { readonly code: string; readonly reason: string } | null;
}

export interface HandlerContext {
  readonly partition: number;
  /** The processor's time for this cycle: the decider never reads a clock. */
  readonly now: number;
  readonly rules: LifecycleRules;
  readonly decodeCommand: (value: Buffer | null) => Promise<CommandEnvelope>;
  /** The partition that owns a pool (murmur2 of the pool id, as the Java client and librdkafka's murmur2_random choose). */
  readonly partitionOfPool: (poolId: string) => number;
}

function rejection(
  envelope: Partial<CommandEnvelope> & { commandId: string },
  poolId: string | null,
  code: string,
  message: string,
  poolVersion: number,
  now: number,
): CommandResult {
  return {
    commandId: envelope.commandId,
    requestId: envelope.requestId ?? null,
    poolId,
    status: 'rejected',
    reasonCode: code,
    message,
    reservationId: null,
    poolVersion,
    processedAt: now,
    events: 0,
    units: null,
    reservationStatus: null,
  };
}

const nothing = { events: [], pool: null, reservations: [] } as const;

/**
 * Decides one command against the overlay. A command that can never be read or applied becomes a rejected
 * result (and a dead letter); a retriable failure (e.g. RegistryUnavailableError while decoding) is thrown,
 * and the caller must abort the transaction and retry.
 */
export async function handleCommand(
  raw: RawCommand,
  overlay: WriteOverlay,
  ctx: HandlerContext,
): Promise<HandledCommand> {
  let envelope: CommandEnvelope;
  try {
    envelope = await ctx.decodeCommand(raw.value);
  } catch (error) {
    // Poison is a policy: only a record that can never be read (a contract error) is rejected and
    // dead-lettered. A retriable failure (schema registry unreachable) is not the record's fault: throw,
    // so the processor aborts this transaction and retries the cycle instead of rejecting a valid command.
    if (isRetriable(error)) throw error;
    const reason = `undecodable command at offset ${raw.offset}: ${describeError(error)}`;
    const commandId = raw.headers[COMMAND_ID_HEADER];
    return {
      commandType: null,
      result: commandId ? rejection({ commandId }, null, 'UNDECODABLE', reason, 0, ctx.now) : null,
      ...nothing,
      deadLetter: { code: 'UNDECODABLE', reason },
    };
  }

  let poolId: string;
  try {
    poolId = targetPoolId(envelope.command);
  } catch (error) {
    const reason = describeError(error);
    return {
      commandType: envelope.command.type,
      result: rejection(envelope, null, 'INVALID_COMMAND', reason, 0, ctx.now),
      ...nothing,
      deadLetter: { code: 'INVALID_COMMAND', reason },
    };
  }

  // One pool, one writer: a command that arrived on another partition than its pool's (a producer with a
  // different partitioner, or a wrong key) is never applied here.
  if (isValidPoolId(poolId)) {
    const owner = ctx.partitionOfPool(poolId);
    if (owner !== ctx.partition) {
      const reason = `command for pool ${poolId} arrived on partition ${ctx.partition}, but the pool belongs to partition ${owner} (key the command by pool id and use a murmur2 partitioner)`;
      return {
        commandType: envelope.command.type,
        result: rejection(envelope, poolId, 'MISROUTED', reason, 0, ctx.now),
        ...nothing,
        deadLetter: { code: 'MISROUTED', reason },
      };
    }
  }

  const state = await loadState(overlay, envelope, poolId);
  const decision = decide(state, envelope, ctx.now, ctx.rules);
  if (decision.status === 'rejected') {
    return {
      commandType: envelope.command.type,
      result: rejection(envelope, poolId, decision.code, decision.message, decision.poolVersion, ctx.now),
      ...nothing,
      // Invalid values are poison for the caller to fix; business rejections are normal outcomes.
      deadLetter:
        decision.code === 'INVALID_COMMAND' ? { code: decision.code, reason: decision.message } : null,
    };
  }

  let next = state;
  for (const event of decision.events) next = evolve(next, event);
  const reservations: Reservation[] = [];
  if (decision.events.length > 0 && next.pool) overlay.putPool(next.pool);
  for (const event of decision.events) {
    if (event.event.type === 'CapacityReserved' || event.event.type === 'CapacityReleased') {
      const reservation = next.reservations[event.event.reservationId];
      if (reservation) {
        overlay.putReservation(reservation);
        reservations.push(reservation);
      }
    }
  }
  // Reserve and release answer with the reservation as it now is: on a replay, the original units and
  // the current status (a replayed reserve of a released reservation says so), never the request's.
  const reservation = decision.reservationId === null ? undefined : next.reservations[decision.reservationId];
  return {
    commandType: envelope.command.type,
    result: {
      commandId: envelope.commandId,
      requestId: envelope.requestId,
      poolId,
      status: 'accepted',
      reasonCode: null,
      message: null,
      reservationId: decision.reservationId,
      poolVersion: decision.poolVersion,
      processedAt: ctx.now,
      events: decision.events.length,
      units: reservation?.units ?? null,
      reservationStatus: reservation?.status ?? null,
    },
    events: decision.events,
    pool: decision.events.length > 0 ? next.pool : null,
    reservations,
    deadLetter: null,
  };
}

/** The keys `loadState` will read for a command, so a batch can prefetch them in one store read. */
export function keysOf(envelope: CommandEnvelope): { poolId: string | null; reservationId: string | null } {
  let poolId: string;
  try {
    poolId = targetPoolId(envelope.command);
  } catch {
    return { poolId: null, reservationId: null };
  }
  if (!isValidPoolId(poolId)) return { poolId: null, reservationId: null };
  const command = envelope.command;
  if (command.type === 'ReleaseCapacity') return { poolId, reservationId: command.reservationId };
  if (command.type === 'ReserveCapacity' && envelope.requestId)
    return { poolId, reservationId: reservationIdFor(poolId, envelope.requestId) };
  return { poolId, reservationId: null };
}

/**
 * The pool and the one reservation the command names: all `decide` reads. An expired pool is gone from
 * the store; its marker stands in for it, so every command for it is answered POOL_EXPIRED.
 */
async function loadState(
  overlay: WriteOverlay,
  envelope: CommandEnvelope,
  poolId: string,
): Promise<PoolState> {
  const valid = isValidPoolId(poolId);
  let pool = valid ? await overlay.pool(poolId) : null;
  if (valid && pool === null) {
    const marker = await overlay.marker(poolId);
    if (marker) pool = poolOfExpiredMarker(marker);
  }
  const command = envelope.command;
  let reservationId: string | null = null;
  if (command.type === 'ReleaseCapacity') reservationId = command.reservationId;
  else if (command.type === 'ReserveCapacity' && valid && envelope.requestId) {
    reservationId = reservationIdFor(poolId, envelope.requestId);
  }
  const reservation = reservationId === null ? null : await overlay.reservation(reservationId);
  return { pool, reservations: reservation ? { [reservation.reservationId]: reservation } : {} };
}
