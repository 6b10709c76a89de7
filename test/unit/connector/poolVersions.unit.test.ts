// The pool_versions view on DuckDB (in-process, scratch file): every version of every pool folded from the
// journal rows alone, equal to the domain's evolve; two lifetimes of one id, closing, expiry, an unknown
// event type and an undecodable row; a warehouse created by the previous connector is migrated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import avro from 'avsc';
import {
  eventRow,
  poolStateRow,
  tombstoneRow,
  undecodableRow,
  Warehouse,
  type WarehouseRow,
} from '../../../src/connector';
import { AVRO_OPTIONS, eventToAvro, poolToAvro, readSchema } from '../../../src/contracts';
import type { Event, EventEnvelope } from '../../../src/domain';
import {
  expectedVersions,
  normaliseVersion,
  POOL_VERSIONS_QUERY,
  type ForeignEvent,
} from '../../support/poolVersions';

const T = Date.UTC(2026, 11, 1, 8);
const SLOT = Date.UTC(2026, 11, 2, 10);
const MIN = 60_000;

function journal(): EventEnvelope[] {
  const e = (poolId: string, version: number, at: number, event: Event): EventEnvelope => ({
    poolId,
    version,
    commandId: `c-${poolId}-${at}`,
    occurredAt: T + at * MIN,
    event,
  });
  const defined = (capacity: number, bookableUntil: number | null): Event => ({
    type: 'PoolDefined',
    zone: 'north',
    slotStart: SLOT,
    slotEnd: SLOT + 120 * MIN,
    capacity,
    bookableUntil,
  });
  return [
    e('a', 1, 1, defined(10, SLOT - 30 * MIN)),
    e('a', 2, 2, { type: 'CapacityReserved', reservationId: 'r1.a.1', units: 4, requestId: 'q1' }),
    e('a', 3, 3, { type: 'CapacityReserved', reservationId: 'r1.a.2', units: 3, requestId: 'q2' }),
    e('a', 4, 4, { type: 'CapacityChanged', capacity: 5, previousCapacity: 10 }), // oversubscribed
    e('a', 5, 5, { type: 'CapacityReleased', reservationId: 'r1.a.2', units: 3 }),
    e('a', 6, 6, { type: 'PoolClosed' }),
    e('a', 7, 7, { type: 'PoolExpired' }),
    e('b', 1, 1, defined(6, null)), // no bookableUntil: an event written before ADR 12
    e('b', 2, 2, { type: 'CapacityReserved', reservationId: 'r1.b.1', units: 2, requestId: 'q3' }),
    e('b', 3, 3, { type: 'CapacityChanged', capacity: 9, previousCapacity: 6 }),
    e('b', 4, 4, { type: 'CapacityReserved', reservationId: 'r1.b.2', units: 1, requestId: 'q4' }),
    e('c', 1, 1, defined(3, null)),
    e('c', 2, 2, { type: 'CapacityReserved', reservationId: 'r1.c.1', units: 2, requestId: 'q5' }),
    e('c', 3, 3, { type: 'PoolExpired' }),
    e('c', 1, 50, defined(8, SLOT)), // the id defined again: a second lifetime
    e('c', 2, 51, { type: 'CapacityReserved', reservationId: 'r1.c.2', units: 1, requestId: 'q6' }),
  ];
}

// The real event schema and mapping (what the processor's serde writes).
const type = avro.Type.forSchema(readSchema('event'), { ...AVRO_OPTIONS });
const rowsOf = (events: readonly EventEnvelope[]): WarehouseRow[] =>
  events.map((event, offset) => {
    const value = type.fromBuffer(type.toBuffer(eventToAvro(event))) as Record<string, unknown>;
    return eventRow({ topic: 't.events', partition: 0, offset }, { schemaId: 9, type, value });
  });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wh-versions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function versionsOf(warehouse: Warehouse, where = ''): Promise<ReturnType<typeof normaliseVersion>[]> {
  const rows = await warehouse.query(`${POOL_VERSIONS_QUERY} ${where} ORDER BY pool_id, lifetime, version`);
  return rows.map(normaliseVersion);
}

test('pool_versions folds the journal like evolve: every version, lifetimes, closing and expiry', async () => {
  const warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
  try {
    const events = journal();
    // An unknown event type and undecodable bytes in the journal: the first is a version, the second is not.
    const unknown = readSchema('event') as unknown as { fields: { name: string; type: unknown[] }[] };
    (unknown.fields.find((f) => f.name === 'event') as { type: unknown[] }).type.push({
      type: 'record',
      name: 'PoolArchived',
      fields: [],
    });
    const unknownType = avro.Type.forSchema(unknown as unknown as avro.Schema, { ...AVRO_OPTIONS });
    const archived = {
      poolId: 'b',
      version: 5,
      commandId: 'c-b-archive',
      occurredAt: T + 9 * MIN,
      event: { 'com.grocer.capacity.event.PoolArchived': {} },
    };
    const at = (offset: number) => ({ topic: 't.events', partition: 0, offset });
    await warehouse.write(
      [
        ...rowsOf(events),
        eventRow(at(100), { schemaId: 10, type: unknownType, value: archived }),
        undecodableRow('capacity_events', at(101), Buffer.from('junk'), 'bad magic', 'b'),
      ],
      [],
    );

    const foreign: ForeignEvent = { ...archived, event: { type: 'PoolArchived' } };
    const expected = expectedVersions([...events, foreign]);
    expect(await versionsOf(warehouse)).toEqual(
      [...expected].sort((x, y) =>
        x.pool_id === y.pool_id
          ? x.lifetime - y.lifetime || x.version - y.version
          : x.pool_id < y.pool_id
            ? -1
            : 1,
      ),
    );
    // Spot checks of what the fold means.
    const a = await versionsOf(warehouse, "WHERE pool_id = 'a'");
    expect(a.map((v) => [v.version, v.capacity, v.reserved, v.available, v.status])).toEqual([
      [1, 10, 0, 10, 'open'],
      [2, 10, 4, 6, 'open'],
      [3, 10, 7, 3, 'open'],
      [4, 5, 7, 0, 'open'],
      [5, 5, 4, 1, 'open'],
      [6, 5, 4, 1, 'closed'],
      [7, 5, 4, 1, 'expired'],
    ]);
    expect(a[0]?.bookable_until).toBe(SLOT - 30 * MIN);
    const c = await versionsOf(warehouse, "WHERE pool_id = 'c'");
    expect(
      c.map((v) => [v.lifetime, v.version, v.capacity, v.reserved, v.status, v.valid_to !== null]),
    ).toEqual([
      [1, 1, 3, 0, 'open', true],
      [1, 2, 3, 2, 'open', true],
      [1, 3, 3, 2, 'expired', false],
      [2, 1, 8, 0, 'open', true],
      [2, 2, 8, 1, 'open', false],
    ]);

    // zone_daily_utilisation counts the latest version of each pool lifetime, expired ones included.
    const day = await warehouse.query(
      'SELECT pools, capacity, reserved, available FROM zone_daily_utilisation',
    );
    expect(day.map((r) => Object.values(r).map(Number))).toEqual([
      [4, 5 + 9 + 3 + 8, 4 + 3 + 2 + 1, 1 + 6 + 1 + 7],
    ]);
  } finally {
    await warehouse.close();
  }
});

test('pool-state tombstones are rows (tombstone = TRUE), states are tombstone = FALSE', async () => {
  const warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
  try {
    const stateType = avro.Type.forSchema(readSchema('pool-state'), { ...AVRO_OPTIONS });
    const state = poolToAvro({
      poolId: 'a',
      zone: 'north',
      slotStart: SLOT,
      slotEnd: SLOT + 1,
      bookableUntil: SLOT,
      capacity: 5,
      reserved: 1,
      status: 'open',
      version: 3,
      updatedAt: T,
    });
    const at = (offset: number) => ({ topic: 't.pool-state', partition: 0, offset });
    await warehouse.write(
      [
        poolStateRow(at(0), { schemaId: 1, type: stateType, value: state }),
        tombstoneRow(at(1), 'a', T + MIN),
        undecodableRow('pool_state_history', at(2), Buffer.from('x'), 'bad magic', 'b'),
      ],
      [],
    );
    const rows = await warehouse.query(
      'SELECT kafka_offset, pool_id, version, status, capacity, tombstone, CAST(valid_from AS VARCHAR) AS valid_from ' +
        'FROM pool_state_history ORDER BY kafka_offset',
    );
    expect(
      rows.map((r) => ({
        ...r,
        kafka_offset: Number(r.kafka_offset),
        version: r.version && Number(r.version),
      })),
    ).toEqual([
      {
        kafka_offset: 0,
        pool_id: 'a',
        version: 3,
        status: 'OPEN',
        capacity: 5,
        tombstone: false,
        valid_from: '2026-12-01 08:00:00',
      },
      {
        kafka_offset: 1,
        pool_id: 'a',
        version: null,
        status: null,
        capacity: null,
        tombstone: true,
        valid_from: '2026-12-01 08:01:00',
      },
      {
        kafka_offset: 2,
        pool_id: 'b',
        version: null,
        status: null,
        capacity: null,
        tombstone: false,
        valid_from: null,
      },
    ]);
  } finally {
    await warehouse.close();
  }
});

test('a warehouse of the previous connector gets the new columns, the index and the views', async () => {
  const file = join(dir, 'old.duckdb');
  const instance = await DuckDBInstance.create(file);
  const driver = await instance.connect();
  // The tables as the previous connector created them, with a row each, and bookable_until already added by
  // schema evolution as BIGINT epoch ms (a PoolDefined with bookableUntil reached the old connector).
  await driver.run(`CREATE TABLE capacity_events (kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
    pool_id VARCHAR, version BIGINT, event_type VARCHAR, command_id VARCHAR, occurred_at TIMESTAMP, zone VARCHAR,
    slot_start TIMESTAMP, slot_end TIMESTAMP, capacity INTEGER, previous_capacity INTEGER, reservation_id VARCHAR,
    units INTEGER, request_id VARCHAR, schema_id INTEGER, payload_json VARCHAR, loaded_at TIMESTAMP,
    bookable_until BIGINT, PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset))`);
  await driver.run(`CREATE TABLE pool_state_history (kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
    pool_id VARCHAR, zone VARCHAR, slot_start TIMESTAMP, slot_end TIMESTAMP, capacity INTEGER, reserved INTEGER,
    available INTEGER, status VARCHAR, version BIGINT, valid_from TIMESTAMP, schema_id INTEGER, payload_json VARCHAR,
    loaded_at TIMESTAMP, PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset))`);
  await driver.run(
    'INSERT INTO capacity_events (kafka_topic, kafka_partition, kafka_offset, pool_id, version, event_type, command_id, occurred_at, zone, slot_start, slot_end, capacity, bookable_until) ' +
      `VALUES ('t', 0, 0, 'a', 1, 'PoolDefined', 'c1', TIMESTAMP '2026-12-01 08:00:00', 'north', TIMESTAMP '2026-12-02 10:00:00', TIMESTAMP '2026-12-02 12:00:00', 4, ${SLOT - 90 * MIN + 123})`,
  );
  await driver.run(
    "INSERT INTO pool_state_history (kafka_topic, kafka_partition, kafka_offset, pool_id, status, version) VALUES ('s', 0, 0, 'a', 'OPEN', 1)",
  );
  driver.closeSync();
  instance.closeSync();

  const warehouse = await Warehouse.open({ kind: 'duckdb', file }, 'g');
  try {
    const columns = await warehouse.query(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE column_name IN ('bookable_until', 'tombstone') AND table_name NOT IN ('pool_versions') ORDER BY table_name",
    );
    expect(columns).toEqual([
      { table_name: 'capacity_events', column_name: 'bookable_until', data_type: 'BIGINT' },
      { table_name: 'pool_state_history', column_name: 'bookable_until', data_type: 'TIMESTAMP' },
      { table_name: 'pool_state_history', column_name: 'tombstone', data_type: 'BOOLEAN' },
    ]);
    expect(await warehouse.query('SELECT tombstone FROM pool_state_history')).toEqual([{ tombstone: false }]);
    const [v] = await versionsOf(warehouse);
    expect(v).toMatchObject({ pool_id: 'a', version: 1, capacity: 4, bookable_until: SLOT - 90 * MIN + 123 });
    const indexes = await warehouse.query(
      "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'capacity_events'",
    );
    expect(indexes).toEqual([{ index_name: 'capacity_events_pool' }]);
    // A BIGINT bookable_until keeps its type: the next PoolDefined with the field is written as epoch ms.
    await warehouse.write(
      rowsOf([journal()[0] as EventEnvelope]).map((r) => withOffset(r, 7)),
      [],
    );
    const rows = await versionsOf(warehouse, 'WHERE version = 1');
    expect(rows.map((r) => r.bookable_until)).toEqual([SLOT - 90 * MIN + 123, SLOT - 30 * MIN]);
  } finally {
    await warehouse.close();
  }
});

test('DuckDB finds one pool by its index (EXPLAIN ANALYZE: Index Scan), also through pool_versions', async () => {
  const warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
  try {
    const many: EventEnvelope[] = [];
    for (let p = 0; p < 3000; p++)
      for (let v = 1; v <= 3; v++)
        many.push({
          poolId: `p-${p}`,
          version: v,
          commandId: `c-${p}-${v}`,
          occurredAt: T + v,
          event:
            v === 1
              ? {
                  type: 'PoolDefined',
                  zone: 'z',
                  slotStart: SLOT,
                  slotEnd: SLOT + 1,
                  capacity: 5,
                  bookableUntil: null,
                }
              : { type: 'CapacityReserved', reservationId: `r1.p-${p}.${v}`, units: 1, requestId: `q${v}` },
        });
    await warehouse.write(rowsOf(many), []);
    const scanOf = async (sql: string) => {
      const plan = await warehouse.query(`EXPLAIN ANALYZE ${sql}`, ['p-1234']);
      return /Type: (Index|Sequential) Scan/.exec(plan.map((r) => String(r.explain_value)).join('\n'))?.[0];
    };
    expect(await scanOf('SELECT * FROM capacity_events WHERE pool_id = $1')).toBe('Type: Index Scan');
    expect(await scanOf('SELECT * FROM pool_versions WHERE pool_id = $1')).toBe('Type: Index Scan');
    // Any other filter on the table turns it into a scan (DuckDB 1.5): cut versions after the lookup.
    expect(await scanOf('SELECT * FROM capacity_events WHERE pool_id = $1 AND version <= 2')).toBe(
      'Type: Sequential Scan',
    );
  } finally {
    await warehouse.close();
  }
});

function withOffset(row: WarehouseRow, offset: number): WarehouseRow {
  const cells = new Map(row.cells);
  cells.set('kafka_offset', { value: offset, type: 'BIGINT' });
  return { ...row, cells };
}
