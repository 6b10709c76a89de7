// The two systems the HTTP benchmark compares, each started as its own processes on loopback: the
// service (processor(s) + gateway, against the local stack's Kafka) and the row-lock baseline (against
// a fresh database on the local stack's PostgreSQL). Both answer the same HTTP API.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { topicSpecs } from '../src/contracts';
import { postgresStack } from '../src/devstack';
import { createKafka, ensureTopicsOrThrow } from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { freePort, scratchDir, ServiceProcess } from '../test/support/serviceProcess';
import { BENCH_AUTH_ENV, benchKeyHeader } from './benchKeys';

export type TargetName = 'service' | 'baseline';

export interface HttpTarget {
  readonly name: TargetName;
  readonly port: number;
  /** Where its logs go. */
  readonly logs: readonly string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200; throws when `alive()` turns false or after `timeoutMs`. */
export async function waitForHttp(url: string, what: string, timeoutMs: number, alive: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (!alive()) throw new Error(`${what} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms (${url})`);
    await sleep(250);
  }
}

/** Fresh topics, `processors` processor processes (ready), then the gateway (its read model loaded). */
export async function startService(options: { processors: number; partitions: number }): Promise<HttpTarget> {
  const port = await freePort();
  const env = {
    CAPACITY_TOPIC_PREFIX: uniqueName('httpbench'),
    CAPACITY_PARTITIONS: String(options.partitions),
    CAPACITY_APPLICATION_ID: uniqueName('httpbench'),
    CAPACITY_LOG_LEVEL: 'warn',
    CAPACITY_HTTP_PORT: String(port),
    ...BENCH_AUTH_ENV,
  };
  const config = loadConfig({ ...process.env, ...env });
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'httpbench', logger: createLogger('error') }),
    topicSpecs(config.topicPrefix, config.partitions),
    1,
  );
  const stateRoot = scratchDir('httpbench');
  const processes: ServiceProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    for (let i = 0; i < options.processors; i++)
      processes.push(
        await ServiceProcess.start('processor', `httpbench-p${i}`, {
          ...env,
          CAPACITY_STATE_DIR: join(stateRoot, String(i)),
        }),
      );
    for (const p of processes) await p.waitReady(120_000);
    const gateway = await ServiceProcess.start('gateway', 'httpbench-gateway', env);
    processes.push(gateway);
    await waitForHttp(
      `http://127.0.0.1:${port}/readyz`,
      'gateway',
      120_000,
      () => gateway.exitCode === undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'service', port, logs: processes.map((p) => p.logFile), stop };
}

/** A new database on the stack's PostgreSQL, and the baseline server on it in a child process. */
export async function startBaseline(options: { connections: number }): Promise<HttpTarget> {
  const url = new URL(postgresStack(loadConfig(process.env)).url);
  const database = uniqueName('rowlock').replace(/-/g, '_');
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${database}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${database}`;
  const port = await freePort();
  const logFile = join(scratchDir('rowlock'), 'rowlock.log');
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(__dirname, 'rowLockBaseline.ts'),
      '--database-url',
      dbUrl.toString(),
      '--port',
      String(port),
      '--connections',
      String(options.connections),
    ],
    { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      done();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exit;
    clearTimeout(timer);
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  };
  try {
    // It prints {"listening": port} once it serves.
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    await new Promise<void>((ready, fail) => {
      lines.on('line', (line) => (line.includes('"listening"') ? ready() : log.write(`${line}\n`)));
      void exit.then(() => fail(new Error(`row-lock baseline exited during start-up; see ${logFile}`)));
      setTimeout(
        () => fail(new Error(`row-lock baseline did not start within 60 s; see ${logFile}`)),
        60_000,
      ).unref();
    });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 'row-lock baseline', 10_000, () => !exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'baseline', port, logs: [logFile], stop };
}

const DAY = 86_400_000;
const FIRST_SLOT = Date.UTC(2027, 0, 1);
export const ZONES = 10;
/** Days the uniform pools cover: 10 zones, 10 two-hour slots a day. */
export const daysFor = (pools: number) => Math.ceil(pools / ZONES / 10);

/** Pool i of the uniform set: zone z(i mod 10), consecutive two-hour slots per zone, 10 a day. */
export function poolDefinition(i: number, capacity: number) {
  const n = Math.floor(i / ZONES);
  const slotStart = FIRST_SLOT + Math.floor(n / 10) * DAY + (n % 10) * 7_200_000;
  return {
    poolId: `u-${i}`,
    body: {
      zone: `z${i % ZONES}`,
      slotStart: new Date(slotStart).toISOString(),
      slotEnd: new Date(slotStart + 7_200_000).toISOString(),
      capacity,
    },
  };
}

export const availabilityQuery = (zone: number, day: number) => ({
  zone: `z${zone}`,
  from: new Date(FIRST_SLOT + day * DAY).toISOString(),
  to: new Date(FIRST_SLOT + (day + 1) * DAY).toISOString(),
  units: 1,
});

/** PUT /v1/pools/{poolId} for each definition, `concurrency` at a time; throws on any non-2xx. */
export async function definePools(
  port: number,
  pools: ReadonlyArray<{ poolId: string; body: object }>,
  concurrency = 50,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pools.length) {
      const pool = pools[next++] as { poolId: string; body: object };
      const response = await fetch(`http://127.0.0.1:${port}/v1/pools/${pool.poolId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...benchKeyHeader('planner') },
        body: JSON.stringify(pool.body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`PUT /v1/pools/${pool.poolId}: ${response.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
