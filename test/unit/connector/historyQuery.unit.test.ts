// Pool history from the warehouse: rows back into events (every known type, an evolved column, an unknown
// type), the fold up to an instant (intermediate state, before definition, unknown types skipped with a
// note, a reused pool id), and the query and endpoint against a real DuckDB file with rows the connector's
// own mapping made.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import {
  envelopeOf,
  eventRow,
  foldAsOf,
  historyEventOf,
  historyRoute,
  PoolHistoryQuery,
  Warehouse,
  type DecodedValue,
  type HistoryEvent,
} from '../../../src/connector';
import { AVRO_OPTIONS, eventToAvro, readSchema } from '../../../src/contracts';
import type { EventEnvelope } from '../../../src/domain';
import { partitionForKey } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';

const T = Date.parse('2030-05-01T06:00:00Z');
const SLOT = Date.parse('2030-05-01T08:00:00Z');

/** A DuckDB-style row (BIGINTs as strings, the *_ms columns as the query adds them). */
const row = (over: Record<string, unknown>) => ({
  kafka_topic: 't.events',
  kafka_partition: 3,
  kafka_offset: '17',
  pool_id: 'p-1',
  version: '1',
  event_type: 'PoolDefined',
  command_id: 'c-1',
  occurred_at: '2030-05-01 06:00:00',
  occurred_at_ms: T,
  zone: null,
  slot_start: null,
  slot_end: null,
  slot_start_ms: null,
  slot_end_ms: null,
  capacity: null,
  previous_capacity: null,
  reservation_id: null,
  units: null,
  request_id: null,
  schema_id: 4,
  payload_json: null,
  loaded_at: '2030-05-01 06:00:01',
  ...over,
});

const event = (version: number, type: string, details: HistoryEvent['details'], at = T + version * 1000) => ({
  version,
  type,
  occurredAt: at,
  commandId: `c-${version}`,
  details,
  partition: 0,
  offset: version,
});
const defined = (at = T + 1000) =>
  event(1, 'PoolDefined', { zone: 'north', slotStart: SLOT, slotEnd: SLOT + 7_200_000, capacity: 10 }, at);

test('rows of every known type become events with their own fields; times as epoch ms', () => {
  expect(
    historyEventOf(
      row({
        zone: 'north',
        capacity: 10,
        slot_start_ms: SLOT,
        slot_end_ms: '1903934400000.0',
        slot_start: 'x',
      }),
    ),
  ).toEqual({
    version: 1,
    type: 'PoolDefined',
    occurredAt: T,
    commandId: 'c-1',
    details: { zone: 'north', slotStart: SLOT, slotEnd: 1903934400000, capacity: 10 },
    partition: 3,
    offset: 17,
  });
  expect(
    historyEventOf(
      row({
        version: '2',
        event_type: 'CapacityReserved',
        reservation_id: 'r1',
        units: '2',
        request_id: 'k',
      }),
    ).details,
  ).toEqual({ reservationId: 'r1', units: 2, requestId: 'k' });
  expect(
    historyEventOf(row({ event_type: 'CapacityChanged', capacity: 12, previous_capacity: 10 })).details,
  ).toEqual({ capacity: 12, previousCapacity: 10 });
  expect(
    historyEventOf(row({ event_type: 'CapacityReleased', reservation_id: 'r1', units: 2 })).details,
  ).toEqual({
    reservationId: 'r1',
    units: 2,
  });
  expect(historyEventOf(row({ event_type: 'PoolClosed' })).details).toEqual({});
});

test('a column added by schema evolution is the event field it came from; unknown types keep their payload', () => {
  const bookable = String(SLOT - 3_600_000);
  const withCutoff = historyEventOf(
    row({
      zone: 'north',
      capacity: 10,
      slot_start_ms: SLOT,
      slot_end_ms: SLOT + 1,
      bookable_until: bookable,
    }),
  );
  expect(withCutoff.details.bookableUntil).toBe(bookable);
  expect(envelopeOf('p-1', withCutoff).event).toMatchObject({
    type: 'PoolDefined',
    bookableUntil: SLOT - 3_600_000,
  });
  // Another type's evolved column (null here) is not this event's field.
  expect(historyEventOf(row({ event_type: 'PoolClosed', bookable_until: null })).details).toEqual({});

  const expired = historyEventOf(
    row({
      version: '6',
      event_type: 'PoolRenamed',
      payload_json: '{"expiredAt":{"long":1903941600000},"note":"x"}',
    }),
  );
  expect(expired).toMatchObject({ type: 'PoolRenamed', details: { expiredAt: 1903941600000, note: 'x' } });
  // A type the connector knew (columns, no payload) that this mapping does not: its non-null columns.
  expect(historyEventOf(row({ event_type: 'PoolRenamed', expired_at: '5' })).details).toEqual({
    expiredAt: '5',
  });
});

test('the fold up to an instant: the intermediate state, nothing before definition, the end state', () => {
  const events = [
    defined(),
    event(2, 'CapacityReserved', { reservationId: 'r1', units: 2, requestId: 'k1' }),
    event(3, 'CapacityChanged', { capacity: 12, previousCapacity: 10 }),
    event(4, 'CapacityReleased', { reservationId: 'r1', units: 2 }),
    event(5, 'PoolClosed', {}),
    event(6, 'PoolExpired', {}, T + 9000),
  ];
  const mid = foldAsOf('p-1', events, T + 2500);
  expect(mid.state.pool).toMatchObject({
    capacity: 10,
    reserved: 2,
    version: 2,
    status: 'open',
    updatedAt: T + 2000,
  });
  expect(mid).toMatchObject({ applied: 2, skipped: [] });
  expect(mid.held).toBe(1);
  expect(foldAsOf('p-1', events, T + 4500).held).toBe(0);
  expect(foldAsOf('p-1', events, T + 2000).state.pool?.version).toBe(2); // at the instant: included
  expect(foldAsOf('p-1', events, T + 999).state.pool).toBeNull();
  expect(foldAsOf('p-1', events, T + 8_000).state.pool).toMatchObject({
    capacity: 12,
    reserved: 0,
    status: 'closed',
    version: 5,
  });
  // An expired pool's history folds to its last state, status expired (ADR 12).
  expect(foldAsOf('p-1', events, T + 10_000)).toMatchObject({
    state: { pool: { status: 'expired', version: 6 } },
    skipped: [],
  });
});

test('an event type the domain does not know is skipped with a note; a clock step back stops the fold', () => {
  const events = [
    defined(),
    event(2, 'PoolRenamed', { name: 'x' }),
    event(3, 'CapacityChanged', { capacity: 3, previousCapacity: 10 }),
  ];
  const folded = foldAsOf('p-1', events, T + 10_000);
  expect(folded.state.pool).toMatchObject({ capacity: 3, version: 3 });
  expect(folded.skipped).toEqual([
    {
      version: 2,
      type: 'PoolRenamed',
      reason: 'not applied: this version of the service does not know PoolRenamed events',
    },
  ]);
  // Version 3 stamped earlier than version 2 (a processor's clock behind): not applied without 2.
  const stepped = [
    defined(),
    event(2, 'CapacityChanged', { capacity: 5, previousCapacity: 10 }, T + 5000),
    event(3, 'PoolClosed', {}, T + 3000),
  ];
  expect(foldAsOf('p-1', stepped, T + 4000).state.pool).toMatchObject({ version: 1, capacity: 10 });
});

test('a pool id defined again (a second lifetime from version 1): the fold starts at the last definition', () => {
  const first = [defined(), event(2, 'PoolClosed', {})];
  const second = [
    event(1, 'PoolDefined', { zone: 'south', slotStart: SLOT, slotEnd: SLOT + 1, capacity: 4 }, T + 9000),
    event(2, 'CapacityReserved', { reservationId: 'r9', units: 1, requestId: 'k9' }, T + 9500),
  ];
  expect(foldAsOf('p-1', [...first, ...second], T + 5000).state.pool).toMatchObject({
    zone: 'north',
    status: 'closed',
  });
  const later = foldAsOf('p-1', [...first, ...second], T + 10_000);
  expect(later.state.pool).toMatchObject({ zone: 'south', reserved: 1, version: 2, status: 'open' });
  expect(later.held).toBe(1);
});

describe('against a real DuckDB warehouse', () => {
  let dir: string;
  let warehouse: Warehouse;
  let server: Server;
  let base: string;
  const topic = 't.events';
  const partitions = 6;
  const poolId = 'pool-a';
  const partition = partitionForKey(poolId, partitions);
  const type = avro.Type.forSchema(readSchema('event'), { ...AVRO_OPTIONS });
  const decoded = (e: EventEnvelope): DecodedValue => {
    const value = eventToAvro(e);
    return { schemaId: 1, type, value: type.fromBuffer(type.toBuffer(value)) as Record<string, unknown> };
  };
  const envelopes: EventEnvelope[] = [
    {
      poolId,
      version: 1,
      commandId: 'c1',
      occurredAt: T + 1000,
      event: {
        type: 'PoolDefined',
        zone: 'north',
        slotStart: SLOT,
        slotEnd: SLOT + 7_200_000,
        capacity: 10,
        bookableUntil: null,
      },
    },
    {
      poolId,
      version: 2,
      commandId: 'c2',
      occurredAt: T + 2000,
      event: { type: 'CapacityReserved', reservationId: 'r1', units: 3, requestId: 'k' },
    },
    {
      poolId,
      version: 3,
      commandId: 'c3',
      occurredAt: T + 3000,
      event: { type: 'CapacityChanged', capacity: 20, previousCapacity: 10 },
    },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wh-history-'));
    warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
    const other: EventEnvelope = { ...envelopes[0]!, poolId: 'pool-b', commandId: 'cb' };
    const rows = [...envelopes, other].map((e, i) => eventRow({ topic, partition, offset: i }, decoded(e)));
    await warehouse.write(rows, [{ topic, partition, from: null, to: rows.length }]);
    const query = new PoolHistoryQuery({
      warehouse: () => warehouse,
      positions: () => [{ key: `${topic}:${partition}`, nextOffset: rows.length, lag: 0 }],
      eventsTopic: topic,
      partitions,
      groupId: 'g',
      logger: createLogger('silent'),
    });
    const route = historyRoute(query, createLogger('silent'));
    server = createServer((request, response) => {
      if (!route((request.url ?? '/').split('?')[0] as string, request, response)) {
        response.writeHead(404);
        response.end();
      }
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('history: the pool only, journal order, ISO times, the warehouse progress; limit keeps the newest', async () => {
    const { status, body } = await get(`/history/${poolId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      poolId,
      complete: true,
      warehouse: { kind: 'duckdb', partition, loadedOffset: 4, lagRecords: 0, loadedAt: expect.any(String) },
    });
    expect(body.events).toEqual([
      {
        version: 1,
        type: 'PoolDefined',
        occurredAt: new Date(T + 1000).toISOString(),
        commandId: 'c1',
        details: { zone: 'north', slotStart: SLOT, slotEnd: SLOT + 7_200_000, capacity: 10 },
        partition,
        offset: 0,
      },
      {
        version: 2,
        type: 'CapacityReserved',
        occurredAt: new Date(T + 2000).toISOString(),
        commandId: 'c2',
        details: { reservationId: 'r1', units: 3, requestId: 'k' },
        partition,
        offset: 1,
      },
      {
        version: 3,
        type: 'CapacityChanged',
        occurredAt: new Date(T + 3000).toISOString(),
        commandId: 'c3',
        details: { capacity: 20, previousCapacity: 10 },
        partition,
        offset: 2,
      },
    ]);
    const limited = await get(`/history/${poolId}?limit=2`);
    expect(limited.body).toMatchObject({ complete: false });
    expect((limited.body.events as { version: number }[]).map((e) => e.version)).toEqual([2, 3]);
  });

  test('asOf: the folded pool; 404 before it existed or for an unknown pool; 400 for bad parameters', async () => {
    const mid = await get(`/history/${poolId}?asOf=${new Date(T + 2500).toISOString()}`);
    expect(mid).toMatchObject({
      status: 200,
      body: {
        poolId,
        version: 2,
        capacity: 10,
        reserved: 3,
        available: 7,
        reservations: 1,
        eventsApplied: 2,
        skipped: [],
      },
    });
    expect(await get(`/history/${poolId}?asOf=${new Date(T).toISOString()}`)).toMatchObject({
      status: 404,
      body: {
        code: 'POOL_NOT_FOUND',
        detail: `pool ${poolId} did not exist at ${new Date(T).toISOString()}`,
      },
    });
    expect(await get('/history/nobody')).toMatchObject({ status: 404, body: { code: 'POOL_NOT_FOUND' } });
    expect(await get(`/history/${poolId}?asOf=noon`)).toMatchObject({
      status: 400,
      body: { detail: /^asOf:/ },
    });
    expect(await get(`/history/${poolId}?limit=0`)).toMatchObject({
      status: 400,
      body: { detail: /^limit:/ },
    });
    expect(await get('/history/bad%20id')).toMatchObject({ status: 400, body: { detail: /^poolId:/ } });
  });

  test('pages of a few rows (keyset on partition and offset) give the same answers', async () => {
    const paged = new PoolHistoryQuery({
      warehouse: () => warehouse,
      positions: () => [],
      eventsTopic: topic,
      partitions,
      groupId: 'g',
      logger: createLogger('silent'),
      pageRows: 2,
    });
    expect((await paged.history(poolId)).events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(await paged.history(poolId, 2)).toMatchObject({
      complete: false,
      events: [{ version: 2 }, { version: 3 }],
    });
    expect(await paged.asOf(poolId, T + 3000)).toMatchObject({ version: 3, capacity: 20, reserved: 3 });
    expect(await paged.asOf(poolId, T + 1500)).toMatchObject({ version: 1, reserved: 0 });
  });

  test('the lookup indexes exist (created idempotently, again without error)', async () => {
    const query = new PoolHistoryQuery({
      warehouse: () => warehouse,
      positions: () => [],
      eventsTopic: topic,
      partitions,
      groupId: 'g',
      logger: createLogger('silent'),
    });
    await query.ensureIndexes();
    const names = (
      await warehouse.query("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'capacity_events'")
    ).map((r) => r.index_name);
    expect(names).toEqual(expect.arrayContaining(['capacity_events_pool', 'capacity_events_pool_version']));
  });
});
