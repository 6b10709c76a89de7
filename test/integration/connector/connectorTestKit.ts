// What the connector tests share: a deterministic event history for several pools (events and the pool
// states they lead to), producing it as the processor would (Avro, key = pool id, the pool's partition),
// per-test warehouses (a DuckDB file or a fresh PostgreSQL database) and the checks every test makes.
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, type Config } from '../../../src/config';
import { Warehouse, type WarehouseTarget } from '../../../src/connector';
import { connectSerdes, topicNames, topicSpecs, type Serdes } from '../../../src/contracts';
import { postgresStack } from '../../../src/devstack';
import type { EventEnvelope, Pool } from '../../../src/domain';
import { createKafka, ensureTopicsOrThrow, partitionForKey, topicEndOffsets } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { scratchDir } from '../../support/serviceProcess';

export interface History {
  readonly events: EventEnvelope[];
  readonly states: Pool[];
}

const DAY = Date.UTC(2026, 11, 2);

/** `pools` pools in `zones` zones, each defined then reserved, released and resized in a fixed pattern. */
export function makeHistory(prefix: string, pools: number, eventsPerPool: number, zones = 3): History {
  const events: EventEnvelope[] = [];
  const states: Pool[] = [];
  for (let p = 0; p < pools; p++) {
    const poolId = `${prefix}-${p}`;
    const slotStart = DAY + (p % 4) * 2 * 3600_000;
    let pool: Pool = {
      poolId,
      zone: `zone-${p % zones}`,
      slotStart,
      slotEnd: slotStart + 2 * 3600_000,
      bookableUntil: slotStart,
      capacity: 1000,
      reserved: 0,
      status: 'open',
      version: 0,
      updatedAt: 0,
    };
    const open: { id: string; units: number }[] = [];
    for (let v = 1; v <= eventsPerPool; v++) {
      const occurredAt = DAY - 86_400_000 + p * 1000 + v * 60_000;
      let event: EventEnvelope['event'];
      if (v === 1)
        event = {
          type: 'PoolDefined',
          zone: pool.zone,
          slotStart,
          slotEnd: pool.slotEnd,
          capacity: 1000,
          bookableUntil: null,
        };
      else if (v % 7 === 0)
        event = { type: 'CapacityChanged', capacity: pool.capacity + 1, previousCapacity: pool.capacity };
      else if (v % 3 === 0 && open.length > 0) {
        const r = open.shift() as { id: string; units: number };
        event = { type: 'CapacityReleased', reservationId: r.id, units: r.units };
      } else {
        const r = { id: `r1.${poolId}.${String(v).padStart(32, '0')}`, units: 1 + (v % 3) };
        open.push(r);
        event = { type: 'CapacityReserved', reservationId: r.id, units: r.units, requestId: `req-${p}-${v}` };
      }
      events.push({ poolId, version: v, commandId: `cmd-${p}-${v}`, occurredAt, event });
      pool = {
        ...pool,
        version: v,
        updatedAt: occurredAt,
        capacity: event.type === 'CapacityChanged' ? event.capacity : pool.capacity,
        reserved:
          event.type === 'CapacityReserved'
            ? pool.reserved + event.units
            : event.type === 'CapacityReleased'
              ? pool.reserved - event.units
              : pool.reserved,
      };
      states.push(pool);
    }
  }
  return { events, states };
}

export interface TopicEnv {
  readonly config: Config;
  readonly serdes: Serdes;
  /** Environment for `capacity connector` processes on these topics. */
  readonly env: Record<string, string>;
  produce(history: History, chunk?: number): Promise<void>;
  /** End offsets of the events and pool-state topics, by "topic:partition". */
  endOffsets(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export async function topicEnv(config: Config, env: Record<string, string>): Promise<TopicEnv> {
  const logger = createLogger('error');
  const kafka = createKafka(config, { clientId: uniqueName('connector-test'), logger });
  await ensureTopicsOrThrow(kafka, topicSpecs(config.topicPrefix, config.partitions), 1);
  const topics = topicNames(config.topicPrefix);
  const serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
  const producer = kafka.kafkaJS.producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  const partitionOf = (poolId: string) => partitionForKey(poolId, config.partitions);
  return {
    config,
    serdes,
    env,
    async produce(history, chunk = 500) {
      for (let i = 0; i < history.events.length; i += chunk) {
        const events = history.events.slice(i, i + chunk);
        const states = history.states.slice(i, i + chunk);
        await producer.sendBatch({
          topicMessages: [
            {
              topic: topics.events,
              messages: events.map((e) => ({
                key: e.poolId,
                value: serdes.event.encode(e),
                partition: partitionOf(e.poolId),
              })),
            },
            {
              topic: topics.poolState,
              messages: states.map((s) => ({
                key: s.poolId,
                value: serdes.poolState.encode(s),
                partition: partitionOf(s.poolId),
              })),
            },
          ],
        });
      }
    },
    async endOffsets() {
      const ends = new Map<string, number>();
      for (const topic of [topics.events, topics.poolState])
        for (const [partition, high] of await topicEndOffsets(kafka, topic))
          ends.set(`${topic}:${partition}`, high);
      return ends;
    },
    close: () => producer.disconnect(),
  };
}

export type SinkKind = 'duckdb' | 'postgres';

export interface TestWarehouse {
  readonly target: WarehouseTarget;
  /** Environment that points a connector at it. */
  readonly env: Record<string, string>;
  open(): Promise<Warehouse>;
  drop(): Promise<void>;
}

/** Admin connection to the stack's PostgreSQL (as the `capacity` role, which may create databases). */
export async function pgAdmin(database = 'warehouse'): Promise<Client> {
  const pg = postgresStack(loadStackConfig());
  const url = new URL(pg.url);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

function loadStackConfig(): Config {
  // postgresStack reads the stack folder and CAPACITY_STACK_POSTGRES_PORT from the config.
  return loadConfig();
}

export async function testWarehouse(kind: SinkKind, groupId: string): Promise<TestWarehouse> {
  if (kind === 'duckdb') {
    const file = join(scratchDir('duckdb'), `${uniqueName('wh')}.duckdb`);
    const target: WarehouseTarget = { kind: 'duckdb', file };
    return {
      target,
      env: { CAPACITY_WAREHOUSE_DUCKDB_FILE: file, CAPACITY_WAREHOUSE_URL: '', WAREHOUSE_URL: '' },
      open: () => Warehouse.open(target, groupId),
      drop: async () => undefined,
    };
  }
  const database = uniqueName('wh').replace(/-/g, '_');
  const admin = await pgAdmin();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(postgresStack(loadStackConfig()).url);
  url.pathname = `/${database}`;
  const target: WarehouseTarget = { kind: 'postgres', url: url.toString() };
  return {
    target,
    env: { CAPACITY_WAREHOUSE_URL: url.toString() },
    open: () => Warehouse.open(target, groupId),
    drop: async () => {
      const client = await pgAdmin();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await client.end();
    },
  };
}

export interface SinkReport {
  readonly events: number;
  readonly distinctEventOffsets: number;
  readonly states: number;
  readonly distinctStateOffsets: number;
  /** Pools whose versions in capacity_events are not exactly 1..n. */
  readonly gappedPools: string[];
}

export async function sinkReport(warehouse: Warehouse): Promise<SinkReport> {
  const one = async (sql: string) => Number(Object.values((await warehouse.query(sql))[0] ?? {})[0]);
  const gapped = await warehouse.query(
    'SELECT pool_id FROM capacity_events GROUP BY pool_id ' +
      'HAVING MIN(version) <> 1 OR MAX(version) <> COUNT(*) OR COUNT(DISTINCT version) <> COUNT(*)',
  );
  return {
    events: await one('SELECT COUNT(*) FROM capacity_events'),
    distinctEventOffsets: await one(
      "SELECT COUNT(DISTINCT kafka_topic || ':' || CAST(kafka_partition AS VARCHAR) || ':' || CAST(kafka_offset AS VARCHAR)) FROM capacity_events",
    ),
    states: await one('SELECT COUNT(*) FROM pool_state_history'),
    distinctStateOffsets: await one(
      "SELECT COUNT(DISTINCT kafka_topic || ':' || CAST(kafka_partition AS VARCHAR) || ':' || CAST(kafka_offset AS VARCHAR)) FROM pool_state_history",
    ),
    gappedPools: gapped.map((r) => String(r.pool_id)),
  };
}

/** Stored positions have reached the end offsets of both topics. */
export function caughtUp(positions: ReadonlyMap<string, number>, ends: ReadonlyMap<string, number>): boolean {
  return [...ends].every(([key, end]) => end === 0 || (positions.get(key) ?? 0) >= end);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asserts a complete, exactly-once load: `count` events and `count` pool states, each Kafka offset once,
 * every pool's versions contiguous from 1. Closes the warehouse afterwards.
 */
export async function expectCompleteLoad(warehouse: Warehouse, count: number): Promise<void> {
  try {
    expect(await sinkReport(warehouse)).toEqual({
      events: count,
      distinctEventOffsets: count,
      states: count,
      distinctStateOffsets: count,
      gappedPools: [],
    });
  } finally {
    await warehouse.close();
  }
}
