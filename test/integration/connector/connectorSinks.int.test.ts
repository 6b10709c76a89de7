// The connector in-process against real Kafka, the real registry and both real sinks: rows with the right
// values, an outage of PostgreSQL in the middle of a run, and data written with a later event schema.
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { loadConfig } from '../../../src/config';
import { Connector, loadConnectorConfig, type Warehouse } from '../../../src/connector';
import { AVRO_OPTIONS, createRegistry, eventToAvro, readSchema, topicNames } from '../../../src/contracts';
import { createLogger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { freePort } from '../../support/serviceProcess';
import {
  caughtUp,
  makeHistory,
  pgAdmin,
  expectCompleteLoad,
  sinkReport,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
  type TestWarehouse,
  type TopicEnv,
} from './connectorTestKit';

interface Running {
  readonly connector: Connector;
  readonly topics: TopicEnv;
  readonly warehouse: TestWarehouse;
}

const started: Running[] = [];

async function startConnector(kind: SinkKind, extra: Record<string, string> = {}): Promise<Running> {
  const group = uniqueName('wh-group');
  const warehouse = await testWarehouse(kind, group);
  const env = {
    ...process.env,
    CAPACITY_TOPIC_PREFIX: uniqueName('conn'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_METRICS_PORT: String(await freePort()),
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_CONNECTOR_GROUP: group,
    CAPACITY_CONNECTOR_BATCH_SIZE: '300',
    CAPACITY_CONNECTOR_BATCH_MS: '100',
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'error',
    ...warehouse.env,
    ...extra,
  };
  const config = loadConfig(env);
  const topics = await topicEnv(config, {});
  const connector = new Connector(config, loadConnectorConfig(env), createLogger(config.logLevel));
  await connector.start();
  const running = { connector, topics, warehouse };
  started.push(running);
  return running;
}

async function waitCaughtUp(running: Running, timeoutMs = 90_000): Promise<void> {
  const ends = await running.topics.endOffsets();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = running.connector.healthReport() as unknown as {
      positions: { key: string; nextOffset: number }[];
      crashed: string | null;
    };
    if (report.crashed) throw new Error(`connector crashed: ${report.crashed}`);
    if (caughtUp(new Map(report.positions.map((p) => [p.key, p.nextOffset])), ends)) return;
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(report.positions)}`);
    await sleep(200);
  }
}

/** Stops the connector (DuckDB allows one process or instance per file) and opens the warehouse. */
async function stopAndOpen(running: Running): Promise<Warehouse> {
  await running.connector.stop();
  return running.warehouse.open();
}

afterEach(async () => {
  for (const running of started.splice(0)) {
    await running.connector.stop().catch(() => undefined);
    await running.topics.close().catch(() => undefined);
    await running.warehouse.drop();
  }
});

describe.each<SinkKind>(['duckdb', 'postgres'])('%s sink', (kind) => {
  test('events and pool states of several pools arrive as rows with the right values', async () => {
    const running = await startConnector(kind);
    const history = makeHistory('pool', 8, 25);
    await running.topics.produce(history);
    await waitCaughtUp(running);
    const warehouse = await stopAndOpen(running);
    try {
      const report = await sinkReport(warehouse);
      expect(report).toEqual({
        events: 200,
        distinctEventOffsets: 200,
        states: 200,
        distinctStateOffsets: 200,
        gappedPools: [],
      });
      const defined = await warehouse.query(
        'SELECT pool_id, zone, capacity, version, command_id, CAST(slot_start AS VARCHAR) AS slot_start, ' +
          "CAST(occurred_at AS VARCHAR) AS occurred_at FROM capacity_events WHERE event_type = 'PoolDefined' AND pool_id = 'pool-5'",
      );
      const first = history.events.find((e) => e.poolId === 'pool-5' && e.version === 1);
      expect(defined).toHaveLength(1);
      expect(defined[0]).toMatchObject({
        pool_id: 'pool-5',
        zone: 'zone-2',
        capacity: 1000,
        command_id: 'cmd-5-1',
      });
      expect(String(defined[0]?.slot_start)).toMatch(/^2026-12-02 02:00:00/);
      expect(new Date(`${String(defined[0]?.occurred_at).replace(' ', 'T')}Z`).getTime()).toBe(
        first?.occurredAt,
      );

      const reserved = await warehouse.query(
        "SELECT reservation_id, units, request_id FROM capacity_events WHERE pool_id = 'pool-3' AND version = 2",
      );
      expect(reserved[0]).toEqual({
        reservation_id: `r1.pool-3.${'2'.padStart(32, '0')}`,
        units: 3,
        request_id: 'req-3-2',
      });

      const last = history.states.filter((s) => s.poolId === 'pool-7').at(-1);
      const state = await warehouse.query(
        'SELECT capacity, reserved, available, status, version FROM pool_state_history WHERE pool_id = $1 ORDER BY version DESC LIMIT 1',
        ['pool-7'],
      );
      expect(state[0]).toEqual({
        capacity: last?.capacity,
        reserved: last?.reserved,
        available: (last?.capacity ?? 0) - (last?.reserved ?? 0),
        status: 'OPEN',
        version: expect.anything(),
      });
      expect(Number(state[0]?.version)).toBe(25);

      const utilisation = await warehouse.query(
        'SELECT zone, pools, reserved FROM zone_daily_utilisation ORDER BY zone',
      );
      expect(utilisation.map((u) => [u.zone, Number(u.pools)])).toEqual([
        ['zone-0', 3],
        ['zone-1', 3],
        ['zone-2', 2],
      ]);
      const hourly = await warehouse.query('SELECT SUM(reservations) AS n FROM zone_hourly_reservations');
      expect(Number(hourly[0]?.n)).toBe(
        history.events.filter((e) => e.event.type === 'CapacityReserved').length,
      );
    } finally {
      await warehouse.close();
    }
  });
});

test('PostgreSQL unreachable mid-run: the connector pauses, retries and loses nothing once it is back', async () => {
  const running = await startConnector('postgres', { CAPACITY_CONNECTOR_RETRY_MS: '60000' });
  const database = new URL(
    running.warehouse.target.kind === 'postgres' ? running.warehouse.target.url : '',
  ).pathname.slice(1);
  const history = makeHistory('outage', 6, 40);
  await running.topics.produce({
    events: history.events.slice(0, 100),
    states: history.states.slice(0, 100),
  });
  await waitCaughtUp(running);

  const admin = await pgAdmin();
  try {
    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      database,
    ]);
    await running.topics.produce({ events: history.events.slice(100), states: history.states.slice(100) });
    await sleep(4000); // batches fail and are retried meanwhile
    const during = running.connector.healthReport() as unknown as { crashed: string | null };
    expect(during.crashed).toBeNull();
    expect(
      await running.connector.metrics.retries.get().then((m) => m.values[0]?.value ?? 0),
    ).toBeGreaterThan(0);
  } finally {
    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    await admin.end();
  }
  await waitCaughtUp(running);
  const warehouse = await stopAndOpen(running);
  await expectCompleteLoad(warehouse, 240);
});

test('a later event schema with an extra optional field and a new event type loads without manual steps', async () => {
  const running = await startConnector('duckdb');
  const { config } = running.topics;
  const history = makeHistory('evolve', 2, 5);
  await running.topics.produce(history);

  // Version 2 of the event schema: an optional `channel` on the envelope and a new event type.
  const v2 = readSchema('event') as unknown as { fields: { name: string; type: unknown }[] };
  const eventField = v2.fields.find((f) => f.name === 'event') as { type: unknown[] };
  eventField.type = [
    ...eventField.type,
    { type: 'record', name: 'CapacityExpired', fields: [{ name: 'reservationId', type: 'string' }] },
  ];
  v2.fields.push({ name: 'channel', type: ['null', 'string'], default: null } as never);
  const registry = createRegistry({ url: config.registryUrl, auth: config.registryAuth });
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(v2) },
    {
      subject: `${topicNames(config.topicPrefix).events}-value`,
      compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE,
    },
  );
  const type = avro.Type.forSchema(v2 as avro.Schema, { ...AVRO_OPTIONS });
  const frame = (record: unknown) => {
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, type.toBuffer(record)]);
  };
  const reserved = history.events[1] as (typeof history.events)[number];
  const withChannel = { ...eventToAvro({ ...reserved, version: 6 }), channel: { string: 'mobile-app' } };
  const expired = {
    poolId: 'evolve-1',
    version: 6,
    commandId: 'cmd-expire',
    occurredAt: reserved.occurredAt + 1,
    event: { 'com.grocer.capacity.event.CapacityExpired': { reservationId: 'r1.evolve-1.x' } },
    channel: null,
  };
  const { partitionForKey, createKafka } = await import('../../../src/kafka');
  const kafka = createKafka(config, { clientId: uniqueName('v2'), logger: createLogger('error') });
  const producer = kafka.kafkaJS.producer({ kafkaJS: {} });
  await producer.connect();
  await producer.send({
    topic: topicNames(config.topicPrefix).events,
    messages: [
      {
        key: 'evolve-0',
        value: frame(withChannel),
        partition: partitionForKey('evolve-0', config.partitions),
      },
      { key: 'evolve-1', value: frame(expired), partition: partitionForKey('evolve-1', config.partitions) },
    ],
  });
  await producer.disconnect();

  await waitCaughtUp(running);
  const warehouse = await stopAndOpen(running);
  try {
    const rows = await warehouse.query(
      'SELECT pool_id, version, event_type, channel, units, payload_json, schema_id FROM capacity_events WHERE version = 6 ORDER BY pool_id',
    );
    expect(rows).toEqual([
      expect.objectContaining({
        pool_id: 'evolve-0',
        event_type: 'CapacityReserved',
        channel: 'mobile-app',
        payload_json: null,
        schema_id: id,
      }),
      expect.objectContaining({
        pool_id: 'evolve-1',
        event_type: 'CapacityExpired',
        channel: null,
        units: null,
        schema_id: id,
      }),
    ]);
    expect(JSON.parse(String(rows[1]?.payload_json))).toEqual({ reservationId: 'r1.evolve-1.x' });
    // Rows written with the first schema have the new column too, empty.
    const old = await warehouse.query(
      'SELECT COUNT(*) AS n FROM capacity_events WHERE channel IS NULL AND version < 6',
    );
    expect(Number(old[0]?.n)).toBe(10);
  } finally {
    await warehouse.close();
  }
});
