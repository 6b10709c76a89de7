// Structural checks that need no state. Commands arrive deserialized from outside, so every field is
// checked at runtime even where the type says it cannot be wrong; each problem names its field.
import { describeValue } from './describeValue';
import { isValidPoolId, MAX_POOL_ID_LENGTH } from './poolId';
import { parseReservationId } from './reservationId';
import type { CommandEnvelope, CommandType } from './types';

export const MAX_ID_LENGTH = 128;
export const MAX_ZONE_LENGTH = 64;
export const MAX_UNITS = 1_000_000;
export const MAX_CAPACITY = 1_000_000;

const ADMIN_COMMANDS: readonly CommandType[] = ['DefinePool', 'ChangeCapacity', 'ClosePool'];

type Problems = string[];

export function validateCommand(envelope: CommandEnvelope): string[] {
  const problems: Problems = [];
  checkId(problems, 'commandId', envelope.commandId);
  checkId(problems, 'requestId', envelope.requestId);
  if (!Number.isInteger(envelope.issuedAt)) {
    problems.push(`issuedAt: must be a finite integer (epoch ms) (got ${describeValue(envelope.issuedAt)})`);
  }
  const command: unknown = envelope.command;
  if (typeof command !== 'object' || command === null) {
    problems.push(`command: must be an object (got ${describeValue(command)})`);
    return problems;
  }
  checkExpectedVersion(problems, envelope);
  // Read fields through a loose view: a mistyped command must yield problems, not a crash.
  const c = command as Record<string, unknown>;
  switch (c.type) {
    case 'DefinePool':
      checkPoolId(problems, c.poolId);
      checkZone(problems, c.zone);
      checkSlot(problems, c.slotStart, c.slotEnd);
      checkBookableUntil(problems, c.bookableUntil, c.slotEnd);
      checkIntRange(problems, 'command.capacity', c.capacity, 0, MAX_CAPACITY);
      break;
    case 'ChangeCapacity':
      checkPoolId(problems, c.poolId);
      checkIntRange(problems, 'command.capacity', c.capacity, 0, MAX_CAPACITY);
      break;
    case 'ReserveCapacity':
      checkPoolId(problems, c.poolId);
      checkIntRange(problems, 'command.units', c.units, 1, MAX_UNITS);
      break;
    case 'ReleaseCapacity': {
      const parsed = parseReservationId(c.reservationId);
      if (!parsed.ok) problems.push(`command.reservationId: ${parsed.reason}`);
      break;
    }
    case 'ClosePool':
      checkPoolId(problems, c.poolId);
      break;
    default:
      problems.push(`command.type: unknown command type ${describeValue(c.type)}`);
  }
  return problems;
}

function checkId(problems: Problems, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    problems.push(
      `${field}: must be a non-empty string of at most ${MAX_ID_LENGTH} characters (got ${describeValue(value)})`,
    );
  }
}

function checkExpectedVersion(problems: Problems, envelope: CommandEnvelope): void {
  const expected: unknown = envelope.expectedVersion;
  if (expected === null) return;
  if (!Number.isInteger(expected) || (expected as number) < 0) {
    problems.push(`expectedVersion: must be null or an integer >= 0 (got ${describeValue(expected)})`);
    return;
  }
  const type = (envelope.command as { type?: unknown }).type;
  // Reserve/release are customer traffic: they are ordered by the pool, not by a version the caller saw.
  if (!ADMIN_COMMANDS.includes(type as CommandType)) {
    problems.push(
      `expectedVersion: only admin commands (${ADMIN_COMMANDS.join(', ')}) may set it (got ${describeValue(expected)} on ${describeValue(type)})`,
    );
  }
}

function checkPoolId(problems: Problems, value: unknown): void {
  if (!isValidPoolId(value)) {
    problems.push(
      `command.poolId: must be 1-${MAX_POOL_ID_LENGTH} characters of A-Z a-z 0-9 _ - (got ${describeValue(value)})`,
    );
  }
}

function checkZone(problems: Problems, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ZONE_LENGTH) {
    problems.push(
      `command.zone: must be a non-empty string of at most ${MAX_ZONE_LENGTH} characters (got ${describeValue(value)})`,
    );
  } else if (value.trim() !== value) {
    problems.push(`command.zone: must not have leading or trailing whitespace (got ${describeValue(value)})`);
  }
}

function checkSlot(problems: Problems, start: unknown, end: unknown): void {
  const startOk = Number.isInteger(start);
  const endOk = Number.isInteger(end);
  if (!startOk)
    problems.push(`command.slotStart: must be a finite integer (epoch ms) (got ${describeValue(start)})`);
  if (!endOk)
    problems.push(`command.slotEnd: must be a finite integer (epoch ms) (got ${describeValue(end)})`);
  if (startOk && endOk && (end as number) <= (start as number)) {
    problems.push(
      `command.slotEnd: must be after command.slotStart (got slotStart ${describeValue(start)}, slotEnd ${describeValue(end)})`,
    );
  }
}

/** Optional: absent or null means the rules' default cut-off. */
function checkBookableUntil(problems: Problems, value: unknown, end: unknown): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || (value as number) <= 0) {
    problems.push(
      `command.bookableUntil: must be null or an integer > 0 (epoch ms) (got ${describeValue(value)})`,
    );
  } else if (Number.isInteger(end) && (value as number) > (end as number)) {
    problems.push(
      `command.bookableUntil: must not be after command.slotEnd (got bookableUntil ${describeValue(value)}, slotEnd ${describeValue(end)})`,
    );
  }
}

function checkIntRange(problems: Problems, field: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    problems.push(`${field}: must be an integer >= ${min} and <= ${max} (got ${describeValue(value)})`);
  }
}
