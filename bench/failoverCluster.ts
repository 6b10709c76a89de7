// The service the failover benchmark breaks: fresh topics, three processors (`node bin/capacity.js
// processor`, each with its own state directory and metrics port) and one gateway, all started here as
// their own processes. Every CAPACITY_* variable of the benchmark's environment reaches them (ServiceProcess
// spreads process.env under the few settings set here), so new settings can be tried without editing the
// benchmark. Signals go to the processes' own pids (node itself, no wrapper); only they are ever ended.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, type Config } from '../src/config';
import { topicNames, topicSpecs } from '../src/contracts';
import { createKafka, ensureTopicsOrThrow, topicEndOffsets } from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { freePort, scratchDir, ServiceProcess, type TaskHealth } from '../test/support/serviceProcess';
import type { Fault } from './failoverAnalysis';
import type { RestoreSample } from './failoverReport';
import { waitForHttp } from './httpTargets';
import { BENCH_AUTH_ENV } from './benchKeys';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n);

/** Every process any cluster started: what Ctrl-C ends (`signal` skips those that exited). */
const started: ServiceProcess[] = [];

async function startTracked(command: string, name: string, env: Record<string, string>) {
  const p = await ServiceProcess.start(command, name, env);
  started.push(p);
  return p;
}

/** Ends (SIGCONT, then SIGKILL) every process still running that a cluster started; for Ctrl-C. */
export function killAllStarted(): void {
  for (const p of started) {
    p.signal('SIGCONT');
    p.signal('SIGKILL');
  }
}

export interface Processor {
  /** 0, 1, 2: its slot in the cluster (a restarted processor keeps its slot, env and state directory). */
  readonly index: number;
  process: ServiceProcess;
  readonly env: Record<string, string>;
}

export interface ClusterOptions {
  readonly processors: number;
  readonly partitions: number;
  /** Static membership: CAPACITY_INSTANCE_ID = <prefix>-p<i> per processor. */
  readonly staticMembership: boolean;
  readonly label: string;
}

export interface Cluster {
  readonly config: Config;
  readonly gatewayPort: number;
  readonly processors: Processor[];
  readonly gateway: ServiceProcess;
  /** Log files of every process started (restarts included). */
  readonly logs: string[];
}

/** Owner (processor index) and state of every partition as the live processors' /healthz say. */
export async function ownership(cluster: Cluster): Promise<Map<number, { owner: number; state: string }>> {
  const owners = new Map<number, { owner: number; state: string }>();
  await Promise.all(
    cluster.processors.map(async (p) => {
      if (p.process.exitCode !== undefined) return;
      const health = await p.process.health();
      for (const t of health?.body.tasks ?? []) owners.set(t.partition, { owner: p.index, state: t.state });
    }),
  );
  return owners;
}

/**
 * Waits until every partition has a ready task and every live processor owns at least one. With
 * `allAlive`, a processor that exits is an error (start-up); otherwise only all of them exiting is.
 */
export async function waitGroupReady(cluster: Cluster, timeoutMs: number, allAlive = true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = cluster.processors.filter((p) => p.process.exitCode === undefined);
    const owners = await ownership(cluster);
    const ready = [...owners.values()].filter((o) => o.state === 'ready').length;
    const everyOneOwns = alive.every((p) => [...owners.values()].some((o) => o.owner === p.index));
    if (ready === cluster.config.partitions && everyOneOwns) return;
    const dead = cluster.processors.find((p) => p.process.exitCode !== undefined);
    if (dead && (allAlive || alive.length === 0))
      throw new Error(
        `${dead.process.name} exited (${dead.process.exitCode}):\n${dead.process.log().slice(-3000)}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `group not ready within ${timeoutMs} ms: ${ready}/${cluster.config.partitions} partitions ready`,
      );
    await sleep(250);
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const gatewayPort = await freePort();
  const prefix = uniqueName(`failover-${options.label}`);
  const env: Record<string, string> = {
    CAPACITY_TOPIC_PREFIX: prefix,
    CAPACITY_APPLICATION_ID: `${prefix}-app`,
    CAPACITY_PARTITIONS: String(options.partitions),
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'warn',
    CAPACITY_HTTP_PORT: String(gatewayPort),
    ...BENCH_AUTH_ENV,
  };
  const config = loadConfig({ ...process.env, ...env });
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'failover-bench', logger: createLogger('error') }),
    topicSpecs(config.topicPrefix, config.partitions),
    1,
  );
  const stateRoot = scratchDir('failover');
  const processors: Processor[] = [];
  const logs: string[] = [];
  for (let index = 0; index < options.processors; index++) {
    const processorEnv = {
      ...env,
      CAPACITY_STATE_DIR: join(stateRoot, `p${index}`),
      CAPACITY_METRICS_PORT: String(await freePort()),
      ...(options.staticMembership ? { CAPACITY_INSTANCE_ID: `${prefix}-p${index}` } : {}),
    };
    const child = await startTracked('processor', `${options.label}-p${index}`, processorEnv);
    logs.push(child.logFile);
    processors.push({ index, process: child, env: processorEnv });
  }
  const gateway = await startTracked('gateway', `${options.label}-gateway`, env);
  logs.push(gateway.logFile);
  const cluster: Cluster = { config, gatewayPort, processors, gateway, logs };
  try {
    await waitGroupReady(cluster, 180_000);
    await waitForHttp(
      `http://127.0.0.1:${gatewayPort}/readyz`,
      'gateway',
      120_000,
      () => gateway.exitCode === undefined,
    );
  } catch (error) {
    await stopCluster(cluster);
    throw error;
  }
  return cluster;
}

/** Starts processor `p` again with the same env (state directory, metrics port, instance id). */
export async function restartProcessor(cluster: Cluster, p: Processor): Promise<void> {
  p.process = await startTracked('processor', `${p.process.name}-restarted`, p.env);
  cluster.logs.push(p.process.logFile);
}

/** The victim's tasks as its /healthz lists them (null when it does not answer). */
export async function tasksOf(p: Processor): Promise<TaskHealth[] | null> {
  return (await p.process.health())?.body.tasks ?? null;
}

/**
 * Waits (bounded) until every partition has a ready task whose next offset (its /healthz) has reached the
 * command topic's end offset: every command written so far has been processed.
 */
export async function waitDrained(cluster: Cluster, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const kafka = createKafka(cluster.config, { clientId: 'failover-drain', logger: createLogger('error') });
  const commands = topicNames(cluster.config.topicPrefix).commands;
  while (Date.now() < deadline) {
    const ends = await topicEndOffsets(kafka, commands);
    const positions = new Map<number, number>();
    for (const p of cluster.processors) {
      if (p.process.exitCode !== undefined) continue;
      for (const t of (await tasksOf(p)) ?? [])
        if (t.state === 'ready') positions.set(t.partition, t.nextOffset ?? 0);
    }
    if ([...ends].every(([partition, end]) => (positions.get(partition) ?? -1) >= end)) return true;
    await sleep(500);
  }
  return false;
}

/** The processor's restore counters and owned tasks from its /metrics (nulls when it does not answer). */
export async function restoreSample(p: Processor): Promise<RestoreSample> {
  const text = await p.process.metrics().catch(() => '');
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    processor: p.index,
    records: value('capacity_processor_restore_records_total'),
    seconds: value('capacity_processor_restore_seconds_sum'),
    tasks: value('capacity_processor_tasks_owned'),
  };
}

/** Breaks the victim (sigstop: for `stopMs`); resolves when the fault is complete (restart: the new process's tasks are ready). */
export async function inflict(
  fault: Fault,
  cluster: Cluster,
  victim: Processor,
  faultAt: number,
  timeline: Record<string, number>,
  stopMs: number,
): Promise<void> {
  const mark = (what: string) => (timeline[what] = round(performance.now() - faultAt));
  switch (fault) {
    case 'kill9':
      victim.process.signal('SIGKILL');
      return;
    case 'sigterm':
      victim.process.signal('SIGTERM');
      await victim.process.waitForExit(60_000);
      mark('exited');
      return;
    case 'sigstop':
      victim.process.signal('SIGSTOP');
      await sleep(stopMs);
      victim.process.signal('SIGCONT');
      mark('continued');
      return;
    case 'restart':
      victim.process.signal('SIGTERM');
      await victim.process.waitForExit(60_000);
      mark('exited');
      await restartProcessor(cluster, victim);
      mark('started again');
      await victim.process.waitReady(120_000);
      mark('its tasks ready');
  }
}

/** SIGCONT + SIGTERM to every process of the cluster still running (SIGKILL after 30 s), gateway last. */
export async function stopCluster(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.processors.map((p) => p.process.stop(30_000)));
  await cluster.gateway.stop(30_000);
}
