// What the warehouse's `pool_versions` view must hold for a journal, and its rows from either sink in a
// comparable shape. The journal is the domain's own events, written with the real contracts (ADR 12:
// PoolDefined.bookableUntil, PoolExpired); the expected fold is the domain's `evolve`.
import {
  evolve,
  initialState,
  type EventEnvelope,
  type EventType,
  type Pool,
  type PoolState,
} from '../../src/domain';

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
  readonly status: Pool['status'];
  readonly event_type: string;
  readonly command_id: string;
}

/** A journal event of a type the domain does not know (written by a newer processor). */
export type ForeignEvent = Omit<EventEnvelope, 'event'> & { readonly event: { readonly type: string } };

const DOMAIN_EVENT_TYPES: Readonly<Record<EventType, true>> = {
  PoolDefined: true,
  CapacityChanged: true,
  CapacityReserved: true,
  CapacityReleased: true,
  PoolClosed: true,
  PoolExpired: true,
};

const isDomainEvent = (e: EventEnvelope | ForeignEvent): e is EventEnvelope =>
  Object.hasOwn(DOMAIN_EVENT_TYPES, e.event.type);

/**
 * What `pool_versions` must hold for a journal: each pool's events (in journal order) folded with the
 * domain's own `evolve` (PoolExpired included); an event type the domain does not know only bumps the
 * version. A PoolDefined starts a new lifetime of the id, from the initial state.
 */
export function expectedVersions(journal: readonly (EventEnvelope | ForeignEvent)[]): PoolVersion[] {
  const rows: PoolVersion[] = [];
  const byPool = new Map<string, (EventEnvelope | ForeignEvent)[]>();
  for (const e of journal) byPool.set(e.poolId, [...(byPool.get(e.poolId) ?? []), e]);
  for (const [poolId, events] of byPool) {
    let state: PoolState = initialState;
    let lifetime = 0;
    const pool: PoolVersion[] = [];
    for (const e of events) {
      if (e.event.type === 'PoolDefined') {
        lifetime += 1;
        state = initialState;
      }
      if (isDomainEvent(e)) state = evolve(state, e);
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
        bookable_until: p.bookableUntil,
        capacity: p.capacity,
        reserved: p.reserved,
        available: Math.max(0, p.capacity - p.reserved),
        status: p.status,
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
