// A pool's history from capacity_events rows: each row back into the journal's event (the domain's
// EventEnvelope shape) and into the answer's plain form, and the pool as it was at an instant, folded with
// the domain's own `evolve`. Pure: no SQL, no I/O (historyQuery.ts reads the rows).
import { availableOf, evolve, initialState, type Event, type EventEnvelope, type PoolState } from '../domain';
import { columnNameOf } from './tables';

/** One value of an event's own fields as the answer carries it (times are epoch milliseconds). */
export type DetailValue = string | number | boolean | null;

/** One event of a pool as the history answer carries it. */
export interface HistoryEvent {
  readonly version: number;
  readonly type: string;
  /** Epoch milliseconds. */
  readonly occurredAt: number;
  readonly commandId: string;
  /** The event's own fields (capacity, units, reservation id...), without its type. */
  readonly details: Readonly<Record<string, DetailValue>>;
  /** Where the journal holds it. */
  readonly partition: number;
  readonly offset: number;
}

/** Columns that are not an event field: the envelope, where it was read, bookkeeping. */
const ENVELOPE_COLUMNS = new Set([
  'kafka_topic',
  'kafka_partition',
  'kafka_offset',
  'pool_id',
  'version',
  'event_type',
  'command_id',
  'occurred_at',
  'schema_id',
  'payload_json',
  'loaded_at',
  // added by the query: epoch milliseconds of the TIMESTAMP columns
  'occurred_at_ms',
  'slot_start_ms',
  'slot_end_ms',
]);

/** The fields of each event type this service knows, as columns (camelCase name -> column). */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  PoolDefined: ['zone', 'slotStart', 'slotEnd', 'capacity'],
  CapacityChanged: ['capacity', 'previousCapacity'],
  CapacityReserved: ['reservationId', 'units', 'requestId'],
  CapacityReleased: ['reservationId', 'units'],
  PoolClosed: [],
};
/** Columns shared by several event types: a column of another type's field is not this event's. */
const KNOWN_FIELD_COLUMNS = new Set(Object.values(FIELDS).flatMap((fields) => fields.map(columnNameOf)));
const INTEGER_FIELDS = new Set(['capacity', 'previousCapacity', 'units']);

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** A BIGINT arrives as a string from both drivers' JSON; whole numbers within 2^53 become numbers. */
function plain(value: unknown): DetailValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return value.getTime();
  return JSON.stringify(value);
}

const toNumber = (value: unknown): number => Number(value);

/** Epoch ms of a `*_ms` column (EXTRACT(EPOCH ...) * 1000: a double, a numeric string, or null). */
const epochMs = (value: unknown): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value));

/**
 * One capacity_events row (the query's `SELECT *` plus the `*_ms` columns) as a history event. Known event
 * types take their fields from their columns (and columns added since by schema evolution, e.g. a new
 * optional field); unknown types from `payload_json`, where the connector keeps them.
 */
export function historyEventOf(row: Readonly<Record<string, unknown>>): HistoryEvent {
  const type = String(row.event_type);
  const details: Record<string, DetailValue> = {};
  const fields = FIELDS[type];
  if (fields) {
    for (const field of fields) {
      if (field === 'slotStart') details[field] = epochMs(row.slot_start_ms);
      else if (field === 'slotEnd') details[field] = epochMs(row.slot_end_ms);
      else {
        const value = plain(row[columnNameOf(field)]);
        details[field] = INTEGER_FIELDS.has(field) && value !== null ? Number(value) : value;
      }
    }
    // A column this code does not know (added by schema evolution): the event's new optional field.
    for (const [column, value] of Object.entries(row)) {
      if (ENVELOPE_COLUMNS.has(column) || KNOWN_FIELD_COLUMNS.has(column) || value === null) continue;
      details[camelCase(column)] = plain(value);
    }
  } else if (typeof row.payload_json !== 'string') {
    // A type the connector knew (its fields are columns) but this mapping does not: every column it set.
    for (const [column, value] of Object.entries(row)) {
      if (ENVELOPE_COLUMNS.has(column) || value === null) continue;
      details[camelCase(column)] = plain(value);
    }
  } else {
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload_json);
    } catch {
      payload = { payload: row.payload_json };
    }
    if (payload && typeof payload === 'object' && !Array.isArray(payload))
      for (const [name, value] of Object.entries(payload)) details[name] = plain(unwrapUnion(value));
  }
  return {
    version: toNumber(row.version),
    type,
    occurredAt: epochMs(row.occurred_at_ms) ?? 0,
    commandId: String(row.command_id ?? ''),
    details,
    partition: toNumber(row.kafka_partition),
    offset: toNumber(row.kafka_offset),
  };
}

/** Avro JSON wraps a union's value in its branch name ({"long": 5}); a single-key wrapper is unwrapped. */
function unwrapUnion(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && /^(int|long|float|double|string|boolean)$/.test(entries[0]![0]))
      return entries[0]![1];
  }
  return value;
}

/**
 * The event as the journal had it (the domain's EventEnvelope). A type this code does not know keeps its
 * fields as they are: the domain may know it (a newer domain than this mapping), and evolve says if not.
 */
export function envelopeOf(poolId: string, event: HistoryEvent): EventEnvelope {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.details)) {
    if (value === null) continue;
    // Times and counts may arrive as strings (BIGINT); the domain's events carry numbers.
    fields[name] = typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return {
    poolId,
    version: event.version,
    commandId: event.commandId,
    occurredAt: event.occurredAt,
    event: { ...fields, type: event.type } as unknown as Event,
  };
}

export interface SkippedEvent {
  readonly version: number;
  readonly type: string;
  readonly reason: string;
}

export interface FoldedState {
  /** The pool as evolve folded it (its reservations are not kept: see `held`). */
  readonly state: PoolState;
  /** Reservations held at that instant. */
  readonly held: number;
  /** Events folded (of the pool's current lifetime at that instant). */
  readonly applied: number;
  /** Events of that lifetime that could not be applied (an event type this service does not know). */
  readonly skipped: readonly SkippedEvent[];
}

/**
 * The pool as it was at `time` (epoch ms): its events in journal order up to the first one after `time`
 * (as the domain's `stateAsOf`: a later version is never applied without an earlier one), from the start
 * of its last lifetime (a pool id can be defined again once its expiry marker is gone: a new version 1),
 * folded with `evolve`. An event `evolve` cannot apply is skipped and reported, not fatal.
 */
export function foldAsOf(poolId: string, events: readonly HistoryEvent[], time: number): FoldedState {
  const cut = events.findIndex((e) => e.occurredAt > time);
  const upTo = cut === -1 ? events : events.slice(0, cut);
  let start = 0;
  upTo.forEach((e, i) => {
    if (e.type === 'PoolDefined' && e.version === 1) start = i;
  });
  let state: PoolState = initialState;
  let applied = 0;
  const skipped: SkippedEvent[] = [];
  // The pool is evolve's; the reservations are tallied here. evolve copies the reservations map on every
  // reserve and release (O(n^2) over a pool's life: 75 ms for 1,000 events), and a state without them is
  // one evolve accepts (the pool's totals come from the events' units).
  const held = new Set<string>();
  for (const event of upTo.slice(start)) {
    try {
      state = {
        pool: evolve(state, envelopeOf(poolId, event)).pool,
        reservations: initialState.reservations,
      };
      applied += 1;
      const reservationId = event.details.reservationId;
      if (event.type === 'CapacityReserved' && typeof reservationId === 'string') held.add(reservationId);
      if (event.type === 'CapacityReleased' && typeof reservationId === 'string') held.delete(reservationId);
    } catch (error) {
      const known = event.type in FIELDS;
      skipped.push({
        version: event.version,
        type: event.type,
        reason: known
          ? `could not be applied: ${(error as Error).message}`
          : `not applied: this version of the service does not know ${event.type} events`,
      });
    }
  }
  return { state, held: held.size, applied, skipped };
}

/** The folded pool as the asOf answer carries it (the current-state answer's fields, times in ISO). */
export function poolAsOfView(folded: FoldedState) {
  const pool = folded.state.pool;
  if (!pool) return null;
  return {
    poolId: pool.poolId,
    zone: pool.zone,
    slotStart: new Date(pool.slotStart).toISOString(),
    slotEnd: new Date(pool.slotEnd).toISOString(),
    capacity: pool.capacity,
    reserved: pool.reserved,
    available: availableOf(pool),
    status: pool.status as string,
    version: pool.version,
    updatedAt: new Date(pool.updatedAt).toISOString(),
    reservations: folded.held,
  };
}
