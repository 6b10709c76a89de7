// Pool history against real Kafka, the real registry and both real sinks (ADR 12):
// - a connector down longer than pool-state's compaction finds only each pool's latest states in the
//   changelog (and the tombstones of the pools that expired), yet pool_versions has every version, folded
//   from the journal as the domain's evolve does, PoolExpired included;
// - an expired pool: PoolExpired is a normal journal row, the pool-state tombstone a row marked tombstone;
// - a PostgreSQL warehouse created by the previous connector is migrated in place.
// The compaction is real: pool-state is created with tiny segments and a cleaner that runs as soon as the
// broker's (log.cleaner.backoff.ms=5000 in the local stack) allows; the shared broker is not reconfigured.
import { loadConfig, type Config } from '../../../src/config';
import { Connector, loadConnectorConfig, type Warehouse } from '../../../src/connector';
import { topicNames, topicSpecs } from '../../../src/contracts';
import { evolve, initialState, type EventEnvelope, type Pool, type PoolState } from '../../../src/domain';
import { createKafka, ensureTopics, partitionForKey, readToEnd } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';
import { expectedVersions, normaliseVersion, POOL_VERSIONS_QUERY } from '../../support/poolVersions';
import { uniqueName } from '../../support/names';
import { freePort } from '../../support/serviceProcess';
import {
  caughtUp,
  pgAdmin,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
  type TestWarehouse,
  type TopicEnv,
} from './connectorTestKit';

const PARTITIONS = 2;
const POOLS = 6;
const VERSIONS = 12;
const SLOT = Date.UTC(2026, 11, 2, 10);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function envFor(prefix: string, group: string, warehouse: TestWarehouse, metricsPort: number) {
  return {
    ...process.env,
    CAPACITY_TOPIC_PREFIX: prefix,
    CAPACITY_PARTITIONS: String(PARTITIONS),
    CAPACITY_METRICS_PORT: String(metricsPort),
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_CONNECTOR_GROUP: group,
    CAPACITY_CONNECTOR_BATCH_SIZE: '300',
    CAPACITY_CONNECTOR_BATCH_MS: '100',
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'error',
    ...warehouse.env,
  };
}

/** Runs a connector on `prefix` into a new warehouse until it has every record, stops it, opens the warehouse. */
async function loadWarehouse(
  kind: SinkKind,
  prefix: string,
): Promise<{ warehouse: Warehouse; connector: Connector }> {
  const group = uniqueName('wh-group');
  const target = await testWarehouse(kind, group);
  cleanups.push(() => target.drop());
  const env = envFor(prefix, group, target, await freePort());
  const config = loadConfig(env);
  const topics = await topicEnv(config, {});
  cleanups.push(() => topics.close());
  const connector = new Connector(config, loadConnectorConfig(env), createLogger(config.logLevel));
  cleanups.push(() => connector.stop());
  await connector.start();
  const ends = await topics.endOffsets();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const report = connector.healthReport() as unknown as {
      positions: { key: string; nextOffset: number }[];
      crashed: string | null;
    };
    if (report.crashed) throw new Error(`connector crashed: ${report.crashed}`);
    if (caughtUp(new Map(report.positions.map((p) => [p.key, p.nextOffset])), ends)) break;
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(report.positions)}`);
    await sleep(100);
  }
  await connector.stop();
  const warehouse = await target.open();
  cleanups.push(() => warehouse.close());
  return { warehouse, connector };
}

/** Pools whose last event is PoolExpired (every third, from the second): pools 1 and 4. */
const expires = (p: number) => p % 3 === 1;

/**
 * Pool `p`'s journal: defined, then reserves, releases and capacity changes; every third pool is closed,
 * every third (another) expires a day after its slot, as the processor's punctuation decides it.
 */
function journalOf(prefix: string, p: number): EventEnvelope[] {
  const poolId = `${prefix}-pool-${p}`;
  const events: EventEnvelope[] = [];
  const open: { id: string; units: number }[] = [];
  let capacity = 20;
  for (let v = 1; v <= VERSIONS; v++) {
    const expiry = v === VERSIONS && expires(p);
    const occurredAt = expiry
      ? SLOT + 7_200_000 + 86_400_000 + p * 1000
      : Date.UTC(2026, 11, 1, 8) + p * 1000 + v * 60_000;
    let event: EventEnvelope['event'];
    if (v === 1)
      event = {
        type: 'PoolDefined',
        zone: `zone-${p % 2}`,
        slotStart: SLOT,
        slotEnd: SLOT + 7_200_000,
        capacity,
        // Half of them resolved by the processor (one hour before the slot), half written before ADR 12.
        bookableUntil: p % 2 === 0 ? SLOT - 3_600_000 : null,
      };
    else if (v === VERSIONS && p % 3 === 0) event = { type: 'PoolClosed' };
    else if (expiry) event = { type: 'PoolExpired' };
    else if (v % 5 === 0) {
      event = { type: 'CapacityChanged', capacity: capacity - 8, previousCapacity: capacity };
      capacity -= 8;
    } else if (v % 3 === 0 && open.length > 0) {
      const r = open.shift() as { id: string; units: number };
      event = { type: 'CapacityReleased', reservationId: r.id, units: r.units };
    } else {
      const r = { id: `r1.${poolId}.${String(v).padStart(32, '0')}`, units: 1 + ((p + v) % 4) };
      open.push(r);
      event = { type: 'CapacityReserved', reservationId: r.id, units: r.units, requestId: `q-${p}-${v}` };
    }
    events.push({ poolId, version: v, commandId: `cmd-${p}-${v}`, occurredAt, event });
  }
  return events;
}

/**
 * The pool-state record after each event: what the processor writes next to it. An expired pool's record
 * is a tombstone (null), never a state with status EXPIRED.
 */
function statesOf(events: readonly EventEnvelope[]): (Pool | null)[] {
  let state: PoolState = initialState;
  return events.map((e) => {
    state = evolve(state, e);
    return e.event.type === 'PoolExpired' ? null : (state.pool as Pool);
  });
}

/** Records currently in a topic (what a consumer reading it from the start gets). */
/** Non-tombstone records per key still in a topic. */
async function countRecords(config: Config, topic: string): Promise<Map<string, number>> {
  const kafka = createKafka(config, { clientId: uniqueName('count'), logger: createLogger('error') });
  const ranges = Array.from({ length: PARTITIONS }, (_, partition) => ({
    topic,
    partition,
    fromOffset: null,
  }));
  const counts = new Map<string, number>();
  await readToEnd(kafka, uniqueName('count'), ranges, async (records) => {
    for (const r of records) {
      const key = r.key?.toString() ?? '';
      if (r.value !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  });
  return counts;
}

describe('a connector down longer than pool-state compaction', () => {
  const prefix = uniqueName('hist');
  let journal: EventEnvelope[] = [];
  let compactedStates = 0;
  /** Non-tombstone records per pool left in pool-state when the connector starts. */
  let left = new Map<string, number>();

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      CAPACITY_TOPIC_PREFIX: prefix,
      CAPACITY_PARTITIONS: String(PARTITIONS),
    });
    // pool-state shrunk so that the broker compacts it within the test: a segment per 100 ms, cleaned as soon
    // as 1% of it is dirty, no compaction lag, tombstones dropped at once. Same policy as the real one.
    const specs = topicSpecs(prefix, PARTITIONS).map((spec) =>
      spec.name === topicNames(prefix).poolState
        ? {
            ...spec,
            configs: {
              ...spec.configs,
              'segment.ms': '100',
              'min.cleanable.dirty.ratio': '0.01',
              'delete.retention.ms': '0',
              'min.compaction.lag.ms': '0',
            },
          }
        : spec,
    );
    const kafka = createKafka(config, { clientId: uniqueName('hist-admin'), logger: createLogger('error') });
    await ensureTopics(kafka, specs, 1);
    const topics: TopicEnv = await topicEnv(config, {}); // registers the real schemas
    const names = topicNames(prefix);
    const producer = kafka.kafkaJS.producer({ kafkaJS: { idempotent: true, acks: -1 } });
    await producer.connect();
    try {
      const pools = Array.from({ length: POOLS }, (_, p) => journalOf(prefix, p));
      journal = pools.flat();
      const states = pools.map(statesOf);
      // Round v writes version v of every pool, each round into a new segment (rolled when the segment is
      // older than segment.ms at the next append): older versions end up in segments the cleaner may clean.
      // The expired pools' last round is the expiry's tombstone, in the active segment (never cleaned).
      for (let v = 0; v < VERSIONS; v++) {
        const events = pools.map((events) => events[v] as EventEnvelope);
        const partition = (e: EventEnvelope) => partitionForKey(e.poolId, PARTITIONS);
        await producer.sendBatch({
          topicMessages: [
            {
              topic: names.events,
              messages: events.map((e) => ({
                key: e.poolId,
                value: topics.serdes.event.encode(e),
                partition: partition(e),
              })),
            },
            {
              topic: names.poolState,
              messages: events.map((e, p) => {
                const state = states[p]?.[v] ?? null;
                return {
                  key: e.poolId,
                  value: state === null ? null : topics.serdes.poolState.encode(state),
                  partition: partition(e),
                  ...(state === null ? { timestamp: String(e.occurredAt) } : {}),
                };
              }),
            },
          ],
        });
        await sleep(150);
      }
    } finally {
      await producer.disconnect();
      await topics.close();
    }
    // Wait until the broker has compacted pool-state: every pool down to at most its last three states (a
    // cleaned section keeps one per pool, the last closed segments and the active one are not cleaned yet);
    // an expiring pool, whose last record is a tombstone, down to two. Per pool: a total could hide one pool
    // still holding most of its states.
    const written = POOLS * VERSIONS;
    const deadline = Date.now() + 40_000;
    for (;;) {
      left = await countRecords(config, topicNames(prefix).poolState);
      compactedStates = [...left.values()].reduce((a, b) => a + b, 0);
      const compacted = Array.from({ length: POOLS }, (_, p) => p).every(
        (p) => (left.get(`${prefix}-pool-${p}`) ?? 0) <= (expires(p) ? 2 : 3),
      );
      if (compacted) break;
      if (Date.now() > deadline)
        throw new Error(`pool-state not compacted in time: ${compactedStates} of ${written} records left`);
      await sleep(1000);
    }
  }, 60_000);

  test.each<SinkKind>(['duckdb', 'postgres'])(
    '%s: pool_state_history has only the latest states, pool_versions has every version as evolve folds it',
    async (kind) => {
      const { warehouse } = await loadWarehouse(kind, prefix);

      // The changelog feed lost the intermediate states: the outage outlasted the compaction. An expired
      // pool's last record is its tombstone.
      const rows = await warehouse.query(
        'SELECT pool_id, version, capacity, reserved, available, status, tombstone FROM pool_state_history ' +
          'ORDER BY pool_id, kafka_offset',
      );
      const states = rows.filter((r) => !r.tombstone).map(({ tombstone: _, ...s }) => s);
      expect(states).toHaveLength(compactedStates);
      expect(states.length).toBeLessThan(POOLS * VERSIONS);
      const expiredPools = Array.from({ length: POOLS }, (_, p) => p)
        .filter(expires)
        .map((p) => `${prefix}-pool-${p}`);
      expect(expiredPools).toHaveLength(2);
      expect(rows.filter((r) => r.tombstone).map((r) => [r.pool_id, r.version])).toEqual(
        expiredPools.map((id) => [id, null]),
      );
      for (let p = 0; p < POOLS; p++) {
        const poolId = `${prefix}-pool-${p}`;
        const versions = states.filter((s) => s.pool_id === poolId).map((s) => Number(s.version));
        // Exactly what compaction left, in order: most intermediate states are gone, the latest is there.
        expect(versions).toHaveLength(left.get(poolId) ?? 0);
        expect(versions.length).toBeLessThanOrEqual(3);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        if (expires(p)) {
          expect(versions.at(-1)).toBe(VERSIONS - 1); // the state before the expiry, then the tombstone
          expect(rows.filter((r) => r.pool_id === poolId).at(-1)?.tombstone).toBe(true);
        } else expect(versions.at(-1)).toBe(VERSIONS);
      }

      // The journal kept everything: every version 1..N of every pool, with the state evolve folds.
      const versions = (await warehouse.query(`${POOL_VERSIONS_QUERY} ORDER BY pool_id, version`)).map(
        normaliseVersion,
      );
      const expected = expectedVersions(journal).sort((a, b) =>
        a.pool_id === b.pool_id ? a.version - b.version : a.pool_id < b.pool_id ? -1 : 1,
      );
      expect(versions).toHaveLength(POOLS * VERSIONS);
      expect(versions).toEqual(expected);
      expect(new Set(versions.map((v) => v.status))).toEqual(new Set(['open', 'closed', 'expired']));
      for (const poolId of expiredPools) {
        const last = versions.filter((v) => v.pool_id === poolId).at(-1);
        expect(last).toMatchObject({ version: VERSIONS, event_type: 'PoolExpired', status: 'expired' });
      }
      expect(new Set(versions.map((v) => v.bookable_until))).toEqual(new Set([SLOT - 3_600_000, SLOT]));

      // Where both have a version, they agree (the changelog's status is the Avro enum, upper case).
      for (const s of states) {
        const v = versions.find((x) => x.pool_id === s.pool_id && x.version === Number(s.version));
        expect({ ...s, version: Number(s.version) }).toEqual({
          pool_id: v?.pool_id,
          version: v?.version,
          capacity: v?.capacity,
          reserved: v?.reserved,
          available: v?.available,
          status: v?.status.toUpperCase(),
        });
      }
    },
    30_000,
  );
});

test.each<SinkKind>(['duckdb', 'postgres'])(
  '%s: an expired pool: PoolExpired is a journal row, the pool-state tombstone a row marked tombstone',
  async (kind) => {
    const prefix = uniqueName('expire');
    const config = loadConfig({
      ...process.env,
      CAPACITY_TOPIC_PREFIX: prefix,
      CAPACITY_PARTITIONS: String(PARTITIONS),
    });
    const topics = await topicEnv(config, {}); // creates the topics, registers the real schemas
    cleanups.push(() => topics.close());
    const names = topicNames(prefix);
    const { serdes } = topics;

    const poolId = `${prefix}-pool`;
    const t = Date.UTC(2026, 11, 1, 8);
    const bookableUntil = SLOT - 1_800_000;
    const journal: EventEnvelope[] = [
      {
        poolId,
        version: 1,
        commandId: 'c1',
        occurredAt: t,
        event: {
          type: 'PoolDefined',
          zone: 'north',
          slotStart: SLOT,
          slotEnd: SLOT + 7_200_000,
          capacity: 5,
          bookableUntil,
        },
      },
      {
        poolId,
        version: 2,
        commandId: 'c2',
        occurredAt: t + 60_000,
        event: { type: 'CapacityReserved', reservationId: `r1.${poolId}.1`, units: 2, requestId: 'q1' },
      },
      { poolId, version: 3, commandId: 'expiry', occurredAt: t + 120_000, event: { type: 'PoolExpired' } },
    ];
    const states = statesOf(journal.slice(0, 2)) as Pool[];
    const partition = partitionForKey(poolId, PARTITIONS);
    const kafka = createKafka(config, { clientId: uniqueName('expire'), logger: createLogger('error') });
    const producer = kafka.kafkaJS.producer({ kafkaJS: { idempotent: true, acks: -1 } });
    await producer.connect();
    try {
      await producer.send({
        topic: names.events,
        messages: journal.map((e) => ({ key: poolId, value: serdes.event.encode(e), partition })),
      });
      await producer.send({
        topic: names.poolState,
        messages: [
          ...states.map((s) => ({ key: poolId, value: serdes.poolState.encode(s), partition })),
          { key: poolId, value: null, partition, timestamp: String(t + 120_000) }, // the expiry's tombstone
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const { warehouse, connector } = await loadWarehouse(kind, prefix);
    const events = await warehouse.query(
      'SELECT version, event_type, payload_json, CAST(bookable_until AS VARCHAR) AS bookable_until FROM capacity_events ORDER BY version',
    );
    expect(events.map((e) => ({ ...e, version: Number(e.version) }))).toEqual([
      {
        version: 1,
        event_type: 'PoolDefined',
        payload_json: null,
        bookable_until: expect.stringMatching(/^2026-12-02 09:30:00/),
      },
      { version: 2, event_type: 'CapacityReserved', payload_json: null, bookable_until: null },
      { version: 3, event_type: 'PoolExpired', payload_json: null, bookable_until: null },
    ]);
    const history = await warehouse.query(
      'SELECT version, status, reserved, tombstone, CAST(valid_from AS VARCHAR) AS valid_from, ' +
        'CAST(bookable_until AS VARCHAR) AS bookable_until FROM pool_state_history WHERE pool_id = $1 ORDER BY kafka_offset',
      [poolId],
    );
    expect(history.map((h) => ({ ...h, version: h.version === null ? null : Number(h.version) }))).toEqual([
      {
        version: 1,
        status: 'OPEN',
        reserved: 0,
        tombstone: false,
        valid_from: expect.any(String),
        bookable_until: expect.stringMatching(/^2026-12-02 09:30:00/),
      },
      {
        version: 2,
        status: 'OPEN',
        reserved: 2,
        tombstone: false,
        valid_from: expect.any(String),
        bookable_until: expect.stringMatching(/^2026-12-02 09:30:00/),
      },
      {
        version: null,
        status: null,
        reserved: null,
        tombstone: true,
        valid_from: expect.stringMatching(/^2026-12-01 08:02:00/),
        bookable_until: null,
      },
    ]);
    const versions = (await warehouse.query(`${POOL_VERSIONS_QUERY} ORDER BY version`)).map(normaliseVersion);
    expect(versions).toEqual(expectedVersions(journal));
    expect(versions.map((v) => [v.version, v.status, v.reserved, v.bookable_until])).toEqual([
      [1, 'open', 0, bookableUntil],
      [2, 'open', 2, bookableUntil],
      [3, 'expired', 2, bookableUntil],
    ]);
    expect((await connector.metrics.tombstones.get()).values[0]?.value).toBe(1);
    expect((await connector.metrics.unusual.get()).values).toEqual([]);
  },
  30_000,
);

test('PostgreSQL: a warehouse of the previous connector gets the new columns, the index and the views', async () => {
  const group = uniqueName('wh-group');
  const target = await testWarehouse('postgres', group);
  cleanups.push(() => target.drop());
  const url = target.target.kind === 'postgres' ? target.target.url : '';
  const admin = await pgAdmin(new URL(url).pathname.slice(1));
  try {
    // The previous connector's tables and utilisation view (over pool_state_history), with a pool in them.
    await admin.query(`CREATE TABLE capacity_events (kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
      pool_id VARCHAR, version BIGINT, event_type VARCHAR, command_id VARCHAR, occurred_at TIMESTAMP, zone VARCHAR,
      slot_start TIMESTAMP, slot_end TIMESTAMP, capacity INTEGER, previous_capacity INTEGER, reservation_id VARCHAR,
      units INTEGER, request_id VARCHAR, schema_id INTEGER, payload_json VARCHAR, loaded_at TIMESTAMP,
      PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset))`);
    await admin.query(`CREATE TABLE pool_state_history (kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
      pool_id VARCHAR, zone VARCHAR, slot_start TIMESTAMP, slot_end TIMESTAMP, capacity INTEGER, reserved INTEGER,
      available INTEGER, status VARCHAR, version BIGINT, valid_from TIMESTAMP, schema_id INTEGER, payload_json VARCHAR,
      loaded_at TIMESTAMP, PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset))`);
    await admin.query(`CREATE VIEW zone_daily_utilisation AS
      SELECT zone, CAST(slot_start AS DATE) AS slot_day, COUNT(*) AS pools, SUM(capacity) AS capacity,
             SUM(reserved) AS reserved, SUM(available) AS available,
             CASE WHEN SUM(capacity) = 0 THEN NULL ELSE CAST(SUM(reserved) AS DOUBLE PRECISION) / SUM(capacity) END AS utilisation
      FROM (SELECT pool_id, zone, slot_start, capacity, reserved, available,
                   ROW_NUMBER() OVER (PARTITION BY pool_id ORDER BY version DESC) AS latest FROM pool_state_history) AS states
      WHERE latest = 1 GROUP BY zone, CAST(slot_start AS DATE)`);
    await admin.query(`INSERT INTO capacity_events (kafka_topic, kafka_partition, kafka_offset, pool_id, version, event_type,
      command_id, occurred_at, zone, slot_start, slot_end, capacity) VALUES
      ('t', 0, 0, 'a', 1, 'PoolDefined', 'c1', '2026-12-01 08:00:00', 'north', '2026-12-02 10:00:00', '2026-12-02 12:00:00', 4)`);
    await admin.query(`INSERT INTO capacity_events (kafka_topic, kafka_partition, kafka_offset, pool_id, version, event_type,
      command_id, occurred_at, units) VALUES ('t', 0, 1, 'a', 2, 'CapacityReserved', 'c2', '2026-12-01 08:01:00', 3)`);
    await admin.query(`INSERT INTO pool_state_history (kafka_topic, kafka_partition, kafka_offset, pool_id, status, version)
      VALUES ('s', 0, 0, 'a', 'OPEN', 2)`);
  } finally {
    await admin.end();
  }

  const warehouse = await target.open();
  cleanups.push(() => warehouse.close());
  expect(
    await warehouse.query(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE column_name IN ('bookable_until', 'tombstone') " +
        "AND table_name IN ('capacity_events', 'pool_state_history') ORDER BY table_name, column_name",
    ),
  ).toEqual([
    {
      table_name: 'capacity_events',
      column_name: 'bookable_until',
      data_type: 'timestamp without time zone',
    },
    {
      table_name: 'pool_state_history',
      column_name: 'bookable_until',
      data_type: 'timestamp without time zone',
    },
    { table_name: 'pool_state_history', column_name: 'tombstone', data_type: 'boolean' },
  ]);
  expect(await warehouse.query('SELECT tombstone FROM pool_state_history')).toEqual([{ tombstone: false }]);
  expect(
    await warehouse.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'capacity_events_pool_version'"),
  ).toEqual([{ indexdef: expect.stringMatching(/USING btree \(pool_id, version\)/) }]);
  const day = await warehouse.query(
    'SELECT zone, pools, capacity, reserved, available FROM zone_daily_utilisation',
  );
  expect(
    day.map((d) => [d.zone, Number(d.pools), Number(d.capacity), Number(d.reserved), Number(d.available)]),
  ).toEqual([['north', 1, 4, 3, 1]]);
  // One pool's versions through the view: PostgreSQL pushes pool_id = 'a' below the windows, to the index
  // (the table is too small for the planner to prefer it unless sequential scans are off).
  await warehouse.query('SET enable_seqscan = off');
  const plan = await warehouse.query("EXPLAIN SELECT * FROM pool_versions WHERE pool_id = 'a'");
  await warehouse.query('RESET enable_seqscan');
  expect(plan.map((r) => String(r['QUERY PLAN'])).join('\n')).toMatch(
    /Index Scan using capacity_events_pool_version/,
  );
}, 30_000);
