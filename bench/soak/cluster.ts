// What the soak runs and breaks: its own three-broker stack (with the registry and PostgreSQL) listening on
// the test bridge, fresh topics with replication factor 3, three processors each on its own test host
// (network namespace), two gateways and the warehouse connector on the machine itself. Every process is
// started as users start it (`node bin/capacity.js <command>`) and signalled by its own pid; a restarted
// process keeps its slot, environment and state directory.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { topicSpecs } from '../../src/contracts';
import { postgresStack, runningPid, stackBrokers, stackDown, stackUp } from '../../src/devstack';
import { createKafka, ensureTopicsOrThrow } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { freePort, ServiceProcess, type TaskHealth } from '../../test/support/serviceProcess';
import { BENCH_AUTH_ENV } from '../benchKeys';
import { waitForHttp } from '../httpTargets';
import { BRIDGE_ADDRESS, createTestHosts, removeTestHosts, type TestHost } from './network';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a soak writes: its stack (brokers, registry, PostgreSQL), state directories. Git-ignored. */
export const SOAK_DIR = resolve(__dirname, '../../.soak');

/** The soak stack's ports, away from the shared test stack's (9092, 8081, 55432) so both can run. */
const PORTS = { broker: 29092, controller: 29192, registry: 28081, postgres: 25432, processorHealth: 9464 };

/** The environment every soak process (and the soak itself) runs with. */
export function soakEnvironment(runId: string, partitions: number): Record<string, string> {
  return {
    CAPACITY_STACK_DIR: join(SOAK_DIR, 'stack'),
    CAPACITY_BROKERS: [0, 1, 2].map((i) => `${BRIDGE_ADDRESS}:${PORTS.broker + i}`).join(','),
    CAPACITY_STACK_CONTROLLER_PORT: String(PORTS.controller),
    CAPACITY_REGISTRY_URL: `http://${BRIDGE_ADDRESS}:${PORTS.registry}/apis/ccompat/v7`,
    CAPACITY_STACK_POSTGRES_PORT: String(PORTS.postgres),
    CAPACITY_REPLICATION_FACTOR: '3',
    CAPACITY_PARTITIONS: String(partitions),
    CAPACITY_TOPIC_PREFIX: `soak-${runId}`,
    CAPACITY_APPLICATION_ID: `soak-${runId}`,
    CAPACITY_CONNECTOR_GROUP: `soak-${runId}-connector`,
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'warn',
    ...BENCH_AUTH_ENV,
  };
}

export interface Member {
  readonly index: number;
  readonly kind: 'processor' | 'gateway' | 'connector';
  process: ServiceProcess;
  readonly env: Record<string, string>;
  /** Processors only: the test host it runs on. */
  readonly host?: TestHost;
  /** Gateways only: HTTP port on 127.0.0.1. */
  readonly port?: number;
}

export interface SoakCluster {
  readonly config: Config;
  readonly hosts: readonly TestHost[];
  readonly processors: readonly Member[];
  readonly gateways: readonly Member[];
  readonly connector: Member;
  /** Log files of every process started, restarts included. */
  readonly logs: string[];
}

const everyProcess: ServiceProcess[] = [];

async function launch(member: Omit<Member, 'process'>, label: string, logs: string[]): Promise<Member> {
  const placement = member.host ? { netns: member.host.netns, host: member.host.address } : undefined;
  const process = await ServiceProcess.start(member.kind, label, member.env, placement);
  everyProcess.push(process);
  logs.push(process.logFile);
  return { ...member, process };
}

/** Starts the member's process again with the same environment, host and state directory. */
export async function restart(cluster: SoakCluster, member: Member): Promise<void> {
  const again = await launch(
    member,
    `${member.process.name.replace(/-r\d+$/, '')}-r${Date.now() % 100000}`,
    cluster.logs,
  );
  member.process = again.process;
}

/** The soak's stack: three brokers, registry and PostgreSQL; a fresh cluster when none is running. */
async function soakStack(config: Config, say: (line: string) => void): Promise<void> {
  const brokers = stackBrokers(config);
  const running = brokers.some((b) => b.pid !== null) || runningPid(postgresStack(config).proc) !== null;
  if (!running) rmSync(join(config.stackDir, 'data'), { recursive: true, force: true });
  await stackUp(config, say, { brokers: 3 });
}

export async function startSoakCluster(
  env: Record<string, string>,
  say: (line: string) => void,
): Promise<SoakCluster> {
  Object.assign(process.env, env); // the stack's PostgreSQL port and the soak's own clients read it here
  const config = loadConfig(process.env);
  const hosts = createTestHosts(3);
  say(`test hosts ${hosts.map((h) => `${h.netns} (${h.address})`).join(', ')} on bridge ${BRIDGE_ADDRESS}`);
  await soakStack(config, say);
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'soak', logger: createLogger('error') }),
    topicSpecs(config.topicPrefix, config.partitions),
    config.replicationFactor,
  );
  const logs: string[] = [];
  const stateRoot = join(SOAK_DIR, 'state', config.topicPrefix);
  const processors: Member[] = [];
  for (const [index, host] of hosts.entries())
    processors.push(
      await launch(
        {
          index,
          kind: 'processor',
          host,
          env: {
            ...env,
            CAPACITY_STATE_DIR: join(stateRoot, `p${index}`),
            CAPACITY_INSTANCE_ID: `${config.applicationId}-p${index}`,
            CAPACITY_METRICS_PORT: String(PORTS.processorHealth),
          },
        },
        `soak-p${index}`,
        logs,
      ),
    );
  const connector = await launch(
    {
      index: 0,
      kind: 'connector',
      env: {
        ...env,
        CAPACITY_WAREHOUSE_URL: postgresStack(config).url,
        CAPACITY_METRICS_PORT: String(await freePort()),
      },
    },
    'soak-connector',
    logs,
  );
  const gateways: Member[] = [];
  for (const index of [0, 1]) {
    const port = await freePort();
    gateways.push(
      await launch(
        { index, kind: 'gateway', port, env: { ...env, CAPACITY_HTTP_PORT: String(port) } },
        `soak-g${index}`,
        logs,
      ),
    );
  }
  const cluster: SoakCluster = { config, hosts, processors, gateways, connector, logs };
  await waitAllReady(cluster, 180_000);
  return cluster;
}

/** Owner and state of every partition, as the processors that answer report them. */
export async function partitionOwners(
  cluster: SoakCluster,
): Promise<Map<number, TaskHealth & { owner: number }>> {
  const owners = new Map<number, TaskHealth & { owner: number }>();
  await Promise.all(
    cluster.processors.map(async (p) => {
      if (p.process.exitCode !== undefined) return;
      for (const t of (await p.process.health())?.body.tasks ?? [])
        owners.set(t.partition, { ...t, owner: p.index });
    }),
  );
  return owners;
}

/** Until every partition has a ready task and every gateway and the connector answer (bounded). */
export async function waitAllReady(cluster: SoakCluster, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = await partitionOwners(cluster);
    const ready = [...owners.values()].filter((t) => t.state === 'ready').length;
    if (ready === cluster.config.partitions) break;
    if (Date.now() > deadline)
      throw new Error(
        `not ready within ${timeoutMs} ms: ${ready}/${cluster.config.partitions} partitions ready`,
      );
    await sleep(250);
  }
  const remaining = () => Math.max(1000, deadline - Date.now());
  for (const g of cluster.gateways)
    await waitForHttp(
      `http://127.0.0.1:${g.port}/readyz`,
      g.process.name,
      remaining(),
      () => g.process.exitCode === undefined,
    );
  const c = cluster.connector.process;
  await waitForHttp(
    `http://127.0.0.1:${c.metricsPort}/healthz`,
    c.name,
    remaining(),
    () => c.exitCode === undefined,
  );
}

/** SIGCONT + SIGTERM to every process still running (SIGKILL after 30 s); processors last. */
export async function stopSoakCluster(cluster: SoakCluster): Promise<void> {
  await Promise.all([...cluster.gateways, cluster.connector].map((m) => m.process.stop(30_000)));
  await Promise.all(cluster.processors.map((m) => m.process.stop(30_000)));
}

/** Ends the soak's stack and test hosts (after stopSoakCluster). */
export async function removeSoakStack(config: Config, say: (line: string) => void): Promise<void> {
  await stackDown(config, say);
  removeTestHosts();
}

/** For Ctrl-C: SIGKILL to every process the soak started that still runs. */
export function killEveryProcess(): void {
  for (const p of everyProcess) {
    p.signal('SIGCONT');
    p.signal('SIGKILL');
  }
}
