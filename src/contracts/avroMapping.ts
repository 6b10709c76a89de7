// The one place that maps domain values to Avro records and back. Unions are wrapped (avsc
// `wrapUnions: true`): a union value is `{ "<branch name>": value }`, or null for the null branch, so the
// branch is explicit on both sides and adding a branch later cannot change how old values read.
import type {
  Command,
  CommandEnvelope,
  Event,
  EventEnvelope,
  ExpiredPool,
  Pool,
  PoolStatus,
  Reservation,
} from '../domain';
import { ContractError } from '../errors';
import type { CommandResult, TaskPosition } from './records';

type AvroRecord = Record<string, unknown>;
type Wrapped = Record<string, AvroRecord> | null;

const COMMAND_NS = 'com.grocer.capacity.command';
const EVENT_NS = 'com.grocer.capacity.event';
const RESULT_RESERVATION_STATUS = 'com.grocer.capacity.result.ReservationStatus';

const optional = <T>(branch: string, value: T | null): Record<string, T> | null =>
  value === null ? null : { [branch]: value };
const unwrapOptional = <T>(value: unknown): T | null =>
  value === null || value === undefined ? null : (Object.values(value as Record<string, T>)[0] ?? null);

function unwrapBranch(value: unknown, namespace: string, what: string): [string, AvroRecord] {
  const entries = Object.entries((value ?? {}) as Record<string, AvroRecord>);
  const [branch, record] = entries[0] ?? [];
  if (entries.length !== 1 || branch === undefined || record === undefined) {
    throw new ContractError(`${what}: expected exactly one union branch, got ${JSON.stringify(value)}`);
  }
  return [branch.startsWith(`${namespace}.`) ? branch.slice(namespace.length + 1) : branch, record];
}

// ---- commands ----

/** The command's fields as its record has them: DefinePool's optional cut-off is a wrapped long. */
function commandFields(command: Command): AvroRecord {
  const { type: _type, ...fields } = command;
  if (command.type !== 'DefinePool') return fields;
  return { ...fields, bookableUntil: optional('long', command.bookableUntil ?? null) };
}

export function commandToAvro(envelope: CommandEnvelope): AvroRecord {
  const { type } = envelope.command;
  const fields = commandFields(envelope.command);
  return {
    commandId: envelope.commandId,
    requestId: envelope.requestId,
    issuedAt: envelope.issuedAt,
    expectedVersion: optional('long', envelope.expectedVersion),
    command: { [`${COMMAND_NS}.${type}`]: fields } satisfies Wrapped,
    issuedBy: optional('string', envelope.issuedBy ?? null),
  };
}

const commandTypes = new Set([
  'DefinePool',
  'ChangeCapacity',
  'ReserveCapacity',
  'ReleaseCapacity',
  'ClosePool',
]);

/** A DefinePool without a cut-off (null, or written before the field existed) has none after decoding. */
function commandOf(type: string, fields: AvroRecord): Command {
  if (type !== 'DefinePool') return { type, ...fields } as unknown as Command;
  const { bookableUntil: wrapped, ...rest } = fields;
  const bookableUntil = unwrapOptional<number>(wrapped);
  return { type, ...rest, ...(bookableUntil === null ? {} : { bookableUntil }) } as unknown as Command;
}

export function commandFromAvro(record: AvroRecord): CommandEnvelope {
  const [type, fields] = unwrapBranch(record.command, COMMAND_NS, 'command');
  if (!commandTypes.has(type)) throw new ContractError(`command: unknown command type ${type}`);
  const issuedBy = unwrapOptional<string>(record.issuedBy);
  return {
    commandId: record.commandId as string,
    requestId: record.requestId as string,
    issuedAt: record.issuedAt as number,
    expectedVersion: unwrapOptional<number>(record.expectedVersion),
    command: commandOf(type, fields),
    ...(issuedBy === null ? {} : { issuedBy }),
  };
}

// ---- events ----

/** The event's fields as its record has them: PoolDefined's cut-off is a wrapped long (null when old). */
function eventFields(event: Event): AvroRecord {
  const { type: _type, ...fields } = event;
  if (event.type !== 'PoolDefined') return fields;
  return { ...fields, bookableUntil: optional('long', event.bookableUntil) };
}

export function eventToAvro(envelope: EventEnvelope): AvroRecord {
  const { type } = envelope.event;
  const fields = eventFields(envelope.event);
  return {
    poolId: envelope.poolId,
    version: envelope.version,
    commandId: envelope.commandId,
    occurredAt: envelope.occurredAt,
    event: { [`${EVENT_NS}.${type}`]: fields } satisfies Wrapped,
  };
}

const eventTypes = new Set([
  'PoolDefined',
  'CapacityChanged',
  'CapacityReserved',
  'CapacityReleased',
  'PoolClosed',
  'PoolExpired',
]);

/** PoolDefined always has `bookableUntil`: null when written before it existed (the pool's is slotStart). */
function eventOf(type: string, fields: AvroRecord): Event {
  if (type !== 'PoolDefined') return { type, ...fields } as unknown as Event;
  return { type, ...fields, bookableUntil: unwrapOptional<number>(fields.bookableUntil) } as unknown as Event;
}

export function eventFromAvro(record: AvroRecord): EventEnvelope {
  const [type, fields] = unwrapBranch(record.event, EVENT_NS, 'event');
  if (!eventTypes.has(type)) throw new ContractError(`event: unknown event type ${type}`);
  return {
    poolId: record.poolId as string,
    version: record.version as number,
    commandId: record.commandId as string,
    occurredAt: record.occurredAt as number,
    event: eventOf(type, fields),
  };
}

// ---- pool state ----

const POOL_STATUS_SYMBOLS: Readonly<Record<PoolStatus, string>> = {
  open: 'OPEN',
  closed: 'CLOSED',
  expired: 'EXPIRED',
};

function poolStatusOf(symbol: unknown): PoolStatus {
  const status = (Object.keys(POOL_STATUS_SYMBOLS) as PoolStatus[]).find(
    (s) => POOL_STATUS_SYMBOLS[s] === symbol,
  );
  if (status === undefined) throw new ContractError(`pool state: unknown status ${JSON.stringify(symbol)}`);
  return status;
}

export function poolToAvro(pool: Pool): AvroRecord {
  return {
    poolId: pool.poolId,
    zone: pool.zone,
    slotStart: pool.slotStart,
    slotEnd: pool.slotEnd,
    capacity: pool.capacity,
    reserved: pool.reserved,
    available: Math.max(0, pool.capacity - pool.reserved),
    status: POOL_STATUS_SYMBOLS[pool.status],
    version: pool.version,
    updatedAt: pool.updatedAt,
    bookableUntil: optional('long', pool.bookableUntil),
  };
}

/** A record from before ADR 12 has no cut-off: its pool's is slotStart, as evolve reads an old PoolDefined. */
export function poolFromAvro(record: AvroRecord): Pool {
  const slotStart = record.slotStart as number;
  return {
    poolId: record.poolId as string,
    zone: record.zone as string,
    slotStart,
    slotEnd: record.slotEnd as number,
    bookableUntil: unwrapOptional<number>(record.bookableUntil) ?? slotStart,
    capacity: record.capacity as number,
    reserved: record.reserved as number,
    status: poolStatusOf(record.status),
    version: record.version as number,
    updatedAt: record.updatedAt as number,
  };
}

// ---- expired pool markers ----

export const expiredPoolToAvro = (marker: ExpiredPool): AvroRecord => ({ ...marker });
export const expiredPoolFromAvro = (record: AvroRecord): ExpiredPool => ({
  poolId: record.poolId as string,
  zone: record.zone as string,
  slotStart: record.slotStart as number,
  slotEnd: record.slotEnd as number,
  version: record.version as number,
  expiredAt: record.expiredAt as number,
});

// ---- reservations ----

export function reservationToAvro(reservation: Reservation): AvroRecord {
  return {
    ...reservation,
    status: reservation.status === 'reserved' ? 'RESERVED' : 'RELEASED',
    releasedAt: optional('long', reservation.releasedAt),
  };
}

export function reservationFromAvro(record: AvroRecord): Reservation {
  return {
    reservationId: record.reservationId as string,
    poolId: record.poolId as string,
    units: record.units as number,
    status: record.status === 'RESERVED' ? 'reserved' : 'released',
    requestId: record.requestId as string,
    createdAt: record.createdAt as number,
    releasedAt: unwrapOptional<number>(record.releasedAt),
  };
}

// ---- command results ----

export function resultToAvro(result: CommandResult): AvroRecord {
  return {
    commandId: result.commandId,
    requestId: optional('string', result.requestId),
    poolId: optional('string', result.poolId),
    status: result.status === 'accepted' ? 'ACCEPTED' : 'REJECTED',
    reasonCode: optional('string', result.reasonCode),
    message: optional('string', result.message),
    reservationId: optional('string', result.reservationId),
    poolVersion: result.poolVersion,
    processedAt: result.processedAt,
    events: result.events,
    units: optional('int', result.units),
    reservationStatus: optional(
      RESULT_RESERVATION_STATUS,
      result.reservationStatus === null ? null : result.reservationStatus.toUpperCase(),
    ),
  };
}

export function resultFromAvro(record: AvroRecord): CommandResult {
  return {
    commandId: record.commandId as string,
    requestId: unwrapOptional<string>(record.requestId),
    poolId: unwrapOptional<string>(record.poolId),
    status: record.status === 'ACCEPTED' ? 'accepted' : 'rejected',
    reasonCode: unwrapOptional<string>(record.reasonCode),
    message: unwrapOptional<string>(record.message),
    reservationId: unwrapOptional<string>(record.reservationId),
    poolVersion: record.poolVersion as number,
    processedAt: record.processedAt as number,
    events: (record.events as number | undefined) ?? 0,
    units: unwrapOptional<number>(record.units),
    reservationStatus: reservationStatusOf(unwrapOptional<string>(record.reservationStatus)),
  };
}

function reservationStatusOf(symbol: string | null): Reservation['status'] | null {
  if (symbol === null) return null;
  return symbol === 'RELEASED' ? 'released' : 'reserved';
}

// ---- task positions ----

export const taskPositionToAvro = (position: TaskPosition): AvroRecord => ({ ...position });
export const taskPositionFromAvro = (record: AvroRecord): TaskPosition => ({
  partition: record.partition as number,
  nextOffset: record.nextOffset as number,
  updatedAt: record.updatedAt as number,
});
