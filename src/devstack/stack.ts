// The local stack without Docker: Kafka in KRaft mode (one broker, or a three-broker cluster: ADR 13),
// Apicurio Registry and PostgreSQL on this machine's own addresses, from pinned artifacts. `up` is
// idempotent (it starts only what is not running), `down` stops exactly what `up` started.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import { ensureKafkaDistribution } from './artifacts';
import { registryHealthy } from './health';
import {
  checkPortFree,
  formatKafkaStorage,
  formattedBrokerCount,
  formattedCluster,
  kafkaClusterOf,
  nodeHealthy,
  nodeProcessOf,
  startNode,
  waitForNode,
  type KafkaCluster,
} from './kafkaBrokers';
import {
  clientSettings,
  kafkaFormatted,
  nodeFiles,
  readClusterRecord,
  resolveBrokerCount,
} from './kafkaCluster';
import {
  checkSaslSwitch,
  chooseStackCredentials,
  saslNotes,
  writeStackSasl,
  type StackSaslCredentials,
} from './kafkaSasl';
import { stackLayout, type BrokerCount } from './layout';
import { postgresDown, postgresHealthy, postgresStack, postgresUp } from './postgres';
import { runningPid, stopProcess } from './processes';
import { registryProcess, registryUp } from './registry';

export interface ComponentStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly address: string;
  readonly healthy: boolean;
  readonly startedByStack: boolean;
  readonly logFile: string;
  /** How clients log in, when they must (a SASL stack's broker). */
  readonly note?: string;
}

export interface StackStatus {
  readonly components: readonly ComponentStatus[];
  readonly root: string;
}

export interface UpResult {
  /** Components this call started (empty when everything was already up). */
  readonly started: readonly string[];
  readonly status: StackStatus;
}

export interface UpOptions {
  /** A new cluster requires SASL/SCRAM-SHA-512 logins; an existing one keeps how it was formatted. */
  readonly sasl?: boolean;
  /** The broker(s) alone: no registry, no PostgreSQL (for tests that need Kafka only). */
  readonly kafkaOnly?: boolean;
  /**
   * Brokers of a new cluster (1 or 3); an existing cluster must be asked for the count it was formatted
   * with. Unset: the existing cluster's count, or 1 for a new one.
   */
  readonly brokers?: BrokerCount;
}

/** Every check that can refuse `up`, before anything is started. */
function planKafka(config: Config, options: UpOptions): KafkaCluster {
  const layout = stackLayout(config);
  const recorded = readClusterRecord(layout)?.brokers ?? null;
  const count = resolveBrokerCount(recorded, options.brokers, layout);
  const formatted = kafkaFormatted(layout);
  // A SASL file left beside deleted log dirs belongs to no cluster: kafkaUp records the new one's.
  const found = kafkaClusterOf(config, count);
  const cluster = formatted ? found : { ...found, sasl: null };
  checkSaslSwitch(formatted, cluster.sasl, options.sasl ?? false, layout.kafkaData);
  if (count > 1 && (options.sasl || cluster.sasl)) {
    // One SCRAM identity per stack is tested for one broker only (kafkaSasl.ts); not yet for a cluster.
    throw new ConfigError(
      `--sasl: the local stack runs SASL with one broker only, not with --brokers ${count}; ` +
        'use `capacity stack up --sasl` (one broker) or a plain three-broker stack',
    );
  }
  return cluster;
}

/**
 * Starts every broker that does not answer and is not running and waits for all; returns the names of those
 * started and the SCRAM user of the cluster (chosen here when this call formats it).
 */
async function kafkaUp(
  config: Config,
  planned: KafkaCluster,
  options: UpOptions,
  say: (line: string) => void,
): Promise<{ started: string[]; sasl: StackSaslCredentials | null }> {
  let cluster = planned;
  const { layout } = cluster;
  const healthy = await Promise.all(cluster.nodes.map((node) => nodeHealthy(cluster, node)));
  const down = cluster.nodes.filter((_, index) => !healthy[index]);
  for (const node of down) await checkPortFree(cluster, node);
  if (down.length === 0) return { started: [], sasl: cluster.sasl };
  await ensureKafkaDistribution(layout, say);
  if (!kafkaFormatted(layout)) {
    // Recorded before formatting, so a SASL cluster never exists without its password on disk; a file
    // left from a deleted cluster goes when the new one is plain.
    const sasl = options.sasl ? chooseStackCredentials(config.sasl) : null;
    mkdirSync(join(layout.root, 'data'), { recursive: true });
    writeStackSasl(layout.kafkaSaslEnv, sasl);
    cluster = { ...cluster, sasl };
  }
  await formatKafkaStorage(cluster);
  const toStart = down.filter((node) => runningPid(nodeProcessOf(layout, node)) === null);
  for (const node of toStart) startNode(cluster, node, say);
  // All at once: a cluster's brokers answer only once a majority of its controllers has formed a quorum;
  // each is up when it lists all of them, so a topic with replication factor 3 can be created next.
  const everyNode = cluster.nodes.map((node) => node.nodeId);
  await Promise.all(down.map((node) => waitForNode(cluster, node, everyNode)));
  return { started: toStart.map((node) => node.name), sasl: cluster.sasl };
}

/**
 * Downloads what is missing, starts what is not running and waits until all of it answers. A component
 * that already answers on its port is left alone, whoever started it.
 */
export async function stackUp(
  config: Config,
  say: (line: string) => void = () => undefined,
  options: UpOptions = {},
): Promise<UpResult> {
  const cluster = planKafka(config, options);
  const { layout, endpoints } = cluster;
  mkdirSync(layout.run, { recursive: true });
  mkdirSync(layout.logs, { recursive: true });
  const [kafka, registryStarted] = await Promise.all([
    kafkaUp(config, cluster, options, say),
    options.kafkaOnly ? false : registryUp(layout, endpoints, say),
  ]);
  const started = [...kafka.started, ...(registryStarted ? ['registry'] : [])];
  // PostgreSQL (the warehouse connector's database) is additive: if it cannot be installed or started, Kafka
  // and the registry still serve the rest of the service; `stack status` shows it down with the reason.
  try {
    if (!options.kafkaOnly && (await postgresUp(config, say))) started.push('postgres');
  } catch (error) {
    say(`PostgreSQL not started: ${(error as Error).message}`);
  }
  const warning = saslNotes(kafka.sasl, config.sasl, layout.kafkaSaslEnv)?.warning;
  if (warning) say(warning);
  if (cluster.nodes.length > 1) {
    say(`clients of this ${cluster.nodes.length}-broker cluster need:`);
    for (const line of clientSettings(cluster.nodes)) say(`  ${line}`);
  }
  return { started, status: await stackStatus(config) };
}

/** Stops the processes this stack started (by pid file); anything else is left alone. */
export async function stackDown(
  config: Config,
  say: (line: string) => void = () => undefined,
): Promise<void> {
  // By pid files alone: stopping needs no valid ports in this shell's settings.
  const layout = stackLayout(config);
  say(`postgres: ${await postgresDown(config)}`);
  say(`registry: ${await stopProcess(registryProcess(layout))}`);
  // All brokers at once: a cluster's last brokers cannot shut down cleanly once their quorum is gone.
  const nodes = nodeFiles(layout, formattedBrokerCount(layout));
  const results = await Promise.all(nodes.map((node) => stopProcess(nodeProcessOf(layout, node))));
  nodes.forEach((node, index) => say(`${node.name}: ${results[index]}`));
}

export async function stackStatus(config: Config): Promise<StackStatus> {
  const cluster = formattedCluster(config);
  const { layout, endpoints } = cluster;
  const pg = postgresStack(config);
  const registry = registryProcess(layout);
  const [kafkaOk, registryOk, postgresOk] = await Promise.all([
    Promise.all(cluster.nodes.map((node) => nodeHealthy(cluster, node))),
    registryHealthy(endpoints),
    postgresHealthy(pg.port),
  ]);
  const postgresPid = runningPid(pg.proc);
  const registryPid = runningPid(registry);
  const note = saslNotes(cluster.sasl, config.sasl, layout.kafkaSaslEnv)?.status;
  const brokers = cluster.nodes.map((node, index): ComponentStatus => {
    const proc = nodeProcessOf(layout, node);
    const pid = runningPid(proc);
    return {
      name: node.name,
      pid,
      address: `${node.host}:${node.port}`,
      healthy: kafkaOk[index] ?? false,
      startedByStack: pid !== null,
      logFile: proc.logFile,
      ...(note ? { note } : {}),
    };
  });
  return {
    root: layout.root,
    components: [
      ...brokers,
      {
        name: 'registry',
        pid: registryPid,
        address: endpoints.registryUrl,
        healthy: registryOk,
        startedByStack: registryPid !== null,
        logFile: registry.logFile,
      },
      {
        name: 'postgres',
        pid: postgresPid,
        address: `127.0.0.1:${pg.port}`,
        healthy: postgresOk,
        startedByStack: postgresPid !== null,
        logFile: pg.proc.logFile,
      },
    ],
  };
}

/** Reads a stack log by component name: kafka (kafka-1 … in a cluster), registry (for errors and tests). */
export function readStackLog(config: Config, name: string): string {
  const file = join(stackLayout(config).logs, `${name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
