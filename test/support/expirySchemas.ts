// The event and pool-state schemas as ADR 12 extends them (PoolDefined.bookableUntil, a PoolExpired event,
// PoolState.bookableUntil and status EXPIRED), built from this branch's schemas, so the warehouse can be
// tested with the records the processor will write before src/contracts has them. Once the contracts carry
// these, tests can use the real serdes instead.
import type avro from 'avsc';
import { eventToAvro, poolToAvro, readSchema } from '../../src/contracts';
import { evolve, initialState, type EventEnvelope, type Pool, type PoolState } from '../../src/domain';

type Schema = { fields: { name: string; type: unknown; default?: unknown }[] };

const optionalTimestamp = {
  type: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
  default: null,
};

export function eventSchemaWithExpiry(): avro.Schema {
  const schema = readSchema('event') as unknown as Schema;
  const union = (schema.fields.find((f) => f.name === 'event') as { type: Schema[] & { name?: string }[] })
    .type as unknown as (Schema & { name: string })[];
  const defined = union.find((t) => t.name === 'PoolDefined') as Schema;
  if (!defined.fields.some((f) => f.name === 'bookableUntil'))
    defined.fields.push({ name: 'bookableUntil', ...optionalTimestamp });
  if (!union.some((t) => t.name === 'PoolExpired'))
    union.push({ type: 'record', name: 'PoolExpired', fields: [] } as never);
  return schema as unknown as avro.Schema;
}

export function poolStateSchemaWithExpiry(): avro.Schema {
  const schema = readSchema('pool-state') as unknown as Schema;
  const status = schema.fields.find((f) => f.name === 'status') as { type: { symbols: string[] } };
  if (!status.type.symbols.includes('EXPIRED')) status.type.symbols = [...status.type.symbols, 'EXPIRED'];
  if (!schema.fields.some((f) => f.name === 'bookableUntil'))
    schema.fields.push({ name: 'bookableUntil', ...optionalTimestamp });
  return schema as unknown as avro.Schema;
}

/** An event of the journal as ADR 12 has it: the domain's events, `bookableUntil` on PoolDefined, PoolExpired. */
export type JournalEvent =
  | (EventEnvelope & { readonly bookableUntil?: number | null })
  | (Omit<EventEnvelope, 'event'> & { readonly event: { readonly type: 'PoolExpired' } });

/** The Avro record of a JournalEvent for `eventSchemaWithExpiry()` (wrapped unions). */
export function journalEventToAvro(event: JournalEvent): Record<string, unknown> {
  if (event.event.type === 'PoolExpired') {
    const { poolId, version, commandId, occurredAt } = event;
    return {
      poolId,
      version,
      commandId,
      occurredAt,
      event: { 'com.grocer.capacity.event.PoolExpired': {} },
    };
  }
  const record = eventToAvro(event as EventEnvelope);
  if (event.event.type !== 'PoolDefined') return record;
  const until = (event as { bookableUntil?: number | null }).bookableUntil ?? null;
  const branch = record.event as Record<string, Record<string, unknown>>;
  const [name] = Object.keys(branch) as [string];
  return {
    ...record,
    event: { [name]: { ...branch[name], bookableUntil: until === null ? null : { long: until } } },
  };
}

/** The Avro record of a pool state for `poolStateSchemaWithExpiry()`. */
export function poolStateToAvro(pool: Pool, options: { expired?: boolean; bookableUntil?: number } = {}) {
  const record = poolToAvro(pool);
  return {
    ...record,
    status: options.expired ? 'EXPIRED' : record.status,
    bookableUntil: options.bookableUntil === undefined ? null : { long: options.bookableUntil },
  };
}

/** One row of the `pool_versions` view, as the tests compare it (times in epoch ms). */
export interface PoolVersion {
  readonly pool_id: string;
  readonly lifetime: number;
  readonly version: number;
  readonly valid_from: number;
  readonly valid_to: number | null;
  readonly zone: string;
  readonly slot_start: number;
  readonly slot_end: number;
  readonly bookable_until: number;
  readonly capacity: number;
  readonly reserved: number;
  readonly available: number;
  readonly status: 'open' | 'closed' | 'expired';
  readonly event_type: string;
  readonly command_id: string;
}

/**
 * What `pool_versions` must hold for a journal: each pool's events (in journal order) folded with the
 * domain's own `evolve`; PoolExpired (not in this branch's domain yet) only sets the status, and an event
 * type the domain does not know only bumps the version. A PoolDefined starts a new lifetime of the id.
 */
export function expectedVersions(journal: readonly JournalEvent[]): PoolVersion[] {
  const rows: PoolVersion[] = [];
  const byPool = new Map<string, JournalEvent[]>();
  for (const e of journal) byPool.set(e.poolId, [...(byPool.get(e.poolId) ?? []), e]);
  for (const [poolId, events] of byPool) {
    let state: PoolState = initialState;
    let lifetime = 0;
    let bookableUntil = 0;
    let expired = false;
    const pool: PoolVersion[] = [];
    for (const e of events) {
      if (e.event.type === 'PoolDefined') {
        lifetime += 1;
        state = initialState;
        expired = false;
        bookableUntil = (e as { bookableUntil?: number | null }).bookableUntil ?? e.event.slotStart;
      }
      if (e.event.type === 'PoolExpired') expired = true;
      else if (KNOWN_TO_DOMAIN.has(e.event.type)) state = evolve(state, e as EventEnvelope);
      const p = state.pool as Pool;
      pool.push({
        pool_id: poolId,
        lifetime,
        version: e.version,
        valid_from: e.occurredAt,
        valid_to: null,
        zone: p.zone,
        slot_start: p.slotStart,
        slot_end: p.slotEnd,
        bookable_until: bookableUntil,
        capacity: p.capacity,
        reserved: p.reserved,
        available: Math.max(0, p.capacity - p.reserved),
        status: expired ? 'expired' : p.status,
        event_type: e.event.type,
        command_id: e.commandId,
      });
    }
    pool.forEach((row, i) => {
      const next = pool[i + 1];
      rows.push(next && next.lifetime === row.lifetime ? { ...row, valid_to: next.valid_from } : row);
    });
  }
  return rows;
}

const KNOWN_TO_DOMAIN = new Set([
  'PoolDefined',
  'CapacityChanged',
  'CapacityReserved',
  'CapacityReleased',
  'PoolClosed',
]);

/** `pool_versions` rows from either sink, normalised for comparison (numbers, times in epoch ms). */
export const POOL_VERSIONS_QUERY =
  'SELECT pool_id, lifetime, version, CAST(valid_from AS VARCHAR) AS valid_from, ' +
  'CAST(valid_to AS VARCHAR) AS valid_to, zone, CAST(slot_start AS VARCHAR) AS slot_start, ' +
  'CAST(slot_end AS VARCHAR) AS slot_end, CAST(bookable_until AS VARCHAR) AS bookable_until, ' +
  'capacity, reserved, available, status, event_type, command_id FROM pool_versions';

export function normaliseVersion(row: Record<string, unknown>): PoolVersion {
  const ms = (v: unknown) => (v === null ? null : Date.parse(`${String(v).replace(' ', 'T')}Z`));
  return {
    pool_id: String(row.pool_id),
    lifetime: Number(row.lifetime),
    version: Number(row.version),
    valid_from: ms(row.valid_from) as number,
    valid_to: ms(row.valid_to),
    zone: String(row.zone),
    slot_start: ms(row.slot_start) as number,
    slot_end: ms(row.slot_end) as number,
    bookable_until: ms(row.bookable_until) as number,
    capacity: Number(row.capacity),
    reserved: Number(row.reserved),
    available: Number(row.available),
    status: row.status as PoolVersion['status'],
    event_type: String(row.event_type),
    command_id: String(row.command_id),
  };
}
