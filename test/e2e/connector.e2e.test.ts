// `capacity connector` as a user runs it, killed with SIGKILL mid-stream and restarted, and started against
// a warehouse it cannot reach: exactly-once rows, and a clear error with a non-zero exit.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { uniqueName } from '../support/names';
import { ServiceProcess } from '../support/serviceProcess';
import {
  caughtUp,
  makeHistory,
  expectCompleteLoad,
  sinkReport,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
  type TestWarehouse,
  type TopicEnv,
} from '../integration/connector/connectorTestKit';

interface Health {
  healthy: boolean;
  crashed: string | null;
  positions: { key: string; nextOffset: number }[];
}

async function healthOf(proc: ServiceProcess): Promise<Health | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${proc.metricsPort}/healthz`, {
      signal: AbortSignal.timeout(2000),
    });
    return (await response.json()) as Health;
  } catch {
    return null;
  }
}

/** Waits until the stored positions cover at least `fraction` of the records (1 = all of them). */
async function waitProgress(
  proc: ServiceProcess,
  topics: TopicEnv,
  fraction: number,
  timeoutMs = 120_000,
): Promise<number> {
  const ends = await topics.endOffsets();
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== undefined)
      throw new Error(`connector exited (${proc.exitCode}):\n${proc.log().slice(-3000)}`);
    const health = await healthOf(proc);
    if (health) {
      const positions = new Map(health.positions.map((p) => [p.key, p.nextOffset]));
      const done = [...positions.values()].reduce((a, b) => a + b, 0);
      if (fraction >= 1 ? caughtUp(positions, ends) : done >= total * fraction) return done / total;
    }
    if (Date.now() > deadline) throw new Error(`no progress to ${fraction}:\n${proc.log().slice(-3000)}`);
    await sleep(50);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setup(kind: SinkKind, extra: Record<string, string> = {}) {
  const group = uniqueName('wh-group');
  const warehouse: TestWarehouse = await testWarehouse(kind, group);
  cleanups.push(() => warehouse.drop());
  const env: Record<string, string> = {
    CAPACITY_TOPIC_PREFIX: uniqueName('conn-e2e'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_CONNECTOR_GROUP: group,
    CAPACITY_CONNECTOR_BATCH_SIZE: '50',
    CAPACITY_CONNECTOR_BATCH_MS: '50',
    CAPACITY_LOG_LEVEL: 'info',
    ...warehouse.env,
    ...extra,
  };
  const topics = await topicEnv(loadConfig({ ...process.env, ...env }), env);
  cleanups.push(() => topics.close());
  const start = async () => {
    const proc = await ServiceProcess.start('connector', uniqueName('connector'), env);
    cleanups.push(() => proc.stop(30_000).then(() => undefined));
    return proc;
  };
  return { warehouse, topics, start };
}

describe.each<SinkKind>(['duckdb', 'postgres'])('%s sink', (kind) => {
  test('kill -9 mid-stream three times: every record once, versions contiguous', async () => {
    // Small transactions, so each kill lands between many commits.
    const { warehouse, topics, start } = await setup(kind, { CAPACITY_CONNECTOR_BATCH_SIZE: '20' });
    const history = makeHistory('crash', 20, 100); // 2,000 events and 2,000 pool states
    const half = { events: history.events.slice(0, 1000), states: history.states.slice(0, 1000) };
    const rest = { events: history.events.slice(1000), states: history.states.slice(1000) };
    await topics.produce(half, 100);

    let proc = await start();
    expect(await waitProgress(proc, topics, 0.3)).toBeLessThan(1); // killed mid-stream, not after it
    await proc.kill();
    // Production goes on while the connector is down and after it is back.
    const producing = topics.produce(rest, 100);
    for (const fraction of [0.55, 0.8]) {
      proc = await start();
      const reached = await waitProgress(proc, topics, fraction);
      await proc.kill();
      expect(reached).toBeLessThan(1);
    }
    await producing;
    proc = await start();
    await waitProgress(proc, topics, 1);
    const metrics = await proc.metrics();
    expect(metrics).toMatch(/capacity_connector_rows_written_total\{table="capacity_events"\} \d+/);
    expect(metrics).toMatch(/capacity_connector_batch_seconds_count \d+/);
    const lags = metrics.split('\n').filter((line) => line.startsWith('capacity_connector_lag{'));
    expect(lags.length).toBeGreaterThan(0);
    expect(lags.filter((line) => !line.endsWith(' 0'))).toEqual([]);
    expect(await proc.stop()).toBe(0);

    const db = await warehouse.open();
    await expectCompleteLoad(db, 2000);
  });
});

test('PostgreSQL unreachable at start: retries, then exits non-zero saying why; nothing lost once it is there', async () => {
  const { warehouse, topics, start } = await setup('postgres');
  const good = warehouse.env.CAPACITY_WAREHOUSE_URL as string;
  const unreachable = new URL(good);
  unreachable.port = '1'; // nothing listens there
  await topics.produce(makeHistory('late', 4, 10));

  const failing = await ServiceProcess.start('connector', uniqueName('connector-down'), {
    ...topics.env,
    ...warehouse.env,
    CAPACITY_TOPIC_PREFIX: topics.config.topicPrefix,
    CAPACITY_PARTITIONS: '3',
    CAPACITY_CONNECTOR_GROUP: uniqueName('unused'),
    CAPACITY_WAREHOUSE_URL: unreachable.toString(),
    CAPACITY_CONNECTOR_RETRY_MS: '3000',
  });
  const code = await failing.waitForExit(60_000);
  expect(code).not.toBe(0);
  expect(failing.log()).toMatch(/capacity: UNAVAILABLE: could not open the warehouse after \d+ attempts/);
  expect(failing.log()).toMatch(/ECONNREFUSED/);
  expect(failing.log()).not.toMatch(/capacity:capacity@/); // the password is never printed

  const proc = await start();
  await waitProgress(proc, topics, 1);
  expect(await proc.stop()).toBe(0);
  const db = await warehouse.open();
  try {
    expect((await sinkReport(db)).events).toBe(40);
  } finally {
    await db.close();
  }
});

test('capacity tail prints decoded records as JSON lines', async () => {
  const { topics } = await setup('duckdb');
  const history = makeHistory('tail', 2, 3);
  await topics.produce(history);
  const cli = resolve(__dirname, '../../bin/capacity.js');
  const { stdout } = await promisify(execFile)('node', [cli, 'tail', 'events', '--no-follow'], {
    env: { ...process.env, ...topics.env },
    timeout: 60_000,
  });
  const lines = stdout
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as { key: string; offset: number; value: { version: number; event: object } },
    );
  expect(lines).toHaveLength(6);
  const first = lines.find((l) => l.key === 'tail-1' && l.value.version === 1);
  expect(first?.value).toEqual({
    poolId: 'tail-1',
    version: 1,
    commandId: 'cmd-1-1',
    occurredAt: history.events[3]?.occurredAt,
    event: {
      'com.grocer.capacity.event.PoolDefined': {
        zone: 'zone-1',
        slotStart: history.events[3]?.event.type === 'PoolDefined' ? history.events[3].event.slotStart : 0,
        slotEnd: history.states[3]?.slotEnd,
        capacity: 1000,
        bookableUntil: null, // ADR 12's field: this history's PoolDefined events have none (as before ADR 12)
      },
    },
  });
});
