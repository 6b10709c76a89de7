// The one place that maps domain values to Avro records and back. Unions are wrapped (avsc
// `wrapUnions: true`): a union value is `{ "<branch name>": value }`, or null for the null branch, so the
// branch is explicit on both sides and adding a branch later cannot change how old values read.
import type { Command, CommandEnvelope, Event, EventEnvelope, Pool, Reservation } from '../domain';
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

export function commandToAvro(envelope: CommandEnvelope): AvroRecord {
  const { type, ...fields } = envelope.command;
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

export function commandFromAvro(record: AvroRecord): CommandEnvelope {
  const [type, fields] = unwrapBranch(record.command, COMMAND_NS, 'command');
  if (!commandTypes.has(type)) throw new ContractError(`command: unknown command type ${type}`);
  const issuedBy = unwrapOptional<string>(record.issuedBy);
  return {
    commandId: record.commandId as string,
    requestId: record.requestId as string,
    issuedAt: record.issuedAt as number,
    expectedVersion: unwrapOptional<number>(record.expectedVersion),
    command: { type, ...fields } as unknown as Command,
    ...(issuedBy === null ? {} : { issuedBy }),
  };
}

// ---- events ----

export function eventToAvro(envelope: EventEnvelope): AvroRecord {
  const { type, ...fields } = envelope.event;
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
]);

export function eventFromAvro(record: AvroRecord): EventEnvelope {
  const [type, fields] = unwrapBranch(record.event, EVENT_NS, 'event');
  if (!eventTypes.has(type)) throw new ContractError(`event: unknown event type ${type}`);
  return {
    poolId: record.poolId as string,
    version: record.version as number,
    commandId: record.commandId as string,
    occurredAt: record.occurredAt as number,
    event: { type, ...fields } as unknown as Event,
  };
}

// ---- pool state ----

export function poolToAvro(pool: Pool): AvroRecord {
  return {
    poolId: pool.poolId,
    zone: pool.zone,
    slotStart: pool.slotStart,
    slotEnd: pool.slotEnd,
    capacity: pool.capacity,
    reserved: pool.reserved,
    available: Math.max(0, pool.capacity - pool.reserved),
    status: pool.status === 'open' ? 'OPEN' : 'CLOSED',
    version: pool.version,
    updatedAt: pool.updatedAt,
  };
}

export function poolFromAvro(record: AvroRecord): Pool {
  return {
    poolId: record.poolId as string,
    zone: record.zone as string,
    slotStart: record.slotStart as number,
    slotEnd: record.slotEnd as number,
    capacity: record.capacity as number,
    reserved: record.reserved as number,
    status: record.status === 'OPEN' ? 'open' : 'closed',
    version: record.version as number,
    updatedAt: record.updatedAt as number,
  };
}

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
