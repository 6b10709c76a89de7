// The stack's Kafka brokers as processes: formatting their storage, starting each node, waiting until it
// answers, and the per-broker view and controls a chaos test needs (list, start one again, stop one).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { ConfigError, UnavailableError } from '../errors';
import { brokersSeenBy } from '../kafka';
import { versions } from './artifacts';
import { kafkaHealthy, portOpen, waitFor } from './health';
import {
  kafkaNodes,
  nodeFiles,
  readClusterRecord,
  writeClusterRecord,
  type KafkaNode,
  type NodeFiles,
} from './kafkaCluster';
import { kafkaLog4j, kafkaProperties } from './kafkaProperties';
import { readStackSasl, scramFormatArgument, type StackSaslCredentials } from './kafkaSasl';
import {
  stackEndpoints,
  stackLayout,
  type BrokerCount,
  type StackEndpoints,
  type StackLayout,
} from './layout';
import { managedProcess, runningPid, startProcess, stopProcess, type ManagedProcess } from './processes';

export interface KafkaCluster {
  readonly layout: StackLayout;
  readonly endpoints: StackEndpoints;
  readonly nodes: readonly KafkaNode[];
  /** The SCRAM user the storage was formatted with; null for a plain stack. */
  readonly sasl: StackSaslCredentials | null;
}

/** One broker of the stack as a chaos test sees it. */
export interface StackBroker {
  readonly nodeId: number;
  /** "kafka" for a single-broker stack, "kafka-<node id>" in a three-broker one. */
  readonly name: string;
  /** host:port clients connect to. */
  readonly address: string;
  /** The running broker's pid, or null when it is not running. */
  readonly pid: number | null;
  readonly logFile: string;
}

export function kafkaClusterOf(config: Config, count: BrokerCount): KafkaCluster {
  const layout = stackLayout(config);
  const endpoints = stackEndpoints(config, count);
  return {
    layout,
    endpoints,
    nodes: kafkaNodes(endpoints, layout),
    sasl: readStackSasl(layout.kafkaSaslEnv),
  };
}

/**
 * The node's pid file and log. The single broker keeps the marker it always had (the stack folder, on
 * every stack JVM's command line), so a broker started before clusters existed is still recognised; a
 * cluster node's marker is its own properties file, which only that node's command line names.
 */
export function nodeProcessOf(layout: StackLayout, files: NodeFiles): ManagedProcess {
  const single = files.name === 'kafka';
  const marker = single ? `-Dcapacity.stack=${layout.root}` : files.propertiesFile;
  return managedProcess(layout.run, layout.logs, files.name, marker);
}

const nodeProcess = (cluster: KafkaCluster, node: KafkaNode) => nodeProcessOf(cluster.layout, node);

/** The broker count the stack was formatted with (1 when it is not formatted yet). */
export function formattedBrokerCount(layout: StackLayout): BrokerCount {
  return readClusterRecord(layout)?.brokers ?? 1;
}

// Modest heaps: the machine has 2 cores and runs the service next to the stack; three brokers get less each.
const HEAP = { single: ['-Xms256m', '-Xmx768m'], clusterNode: ['-Xms128m', '-Xmx512m'] };
const JVM_COMMON = ['-XX:+UseSerialGC', '-Djava.awt.headless=true'];

function javaRun(layout: StackLayout, mainArgs: readonly string[], heap: readonly string[]): string[] {
  return [
    ...heap,
    ...JVM_COMMON,
    `-Dcapacity.stack=${layout.root}`,
    `-Dlog4j.configuration=file:${join(layout.run, 'log4j.properties')}`,
    '-cp',
    `${layout.kafkaLibs}/*`,
    ...mainArgs,
  ];
}

async function runToCompletion(command: string, args: string[], cwd: string): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => reject(new UnavailableError(`could not run ${command}: ${e.message}`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new UnavailableError(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka makes them, never starting with "-" (the
 * storage tool would read such an id as an option and fail: "--cluster-id: expected one argument").
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Each node's server.properties (owner-only: with SASL it holds the broker's own password) and log4j. */
function writeNodeFiles(cluster: KafkaCluster, node: KafkaNode): void {
  mkdirSync(cluster.layout.run, { recursive: true });
  writeFileSync(node.propertiesFile, kafkaProperties(cluster.nodes, node.nodeId, cluster.sasl), {
    mode: 0o600,
  });
  writeFileSync(join(cluster.layout.run, 'log4j.properties'), kafkaLog4j(cluster.sasl !== null));
}

/**
 * Formats every node's log dir that is not formatted yet, all with the cluster's one id; the id and the
 * broker count are recorded first, so a node formatted later (its folder deleted) joins the same cluster.
 * A SASL stack's SCRAM user is created here, in the metadata log's first records.
 */
export async function formatKafkaStorage(cluster: KafkaCluster): Promise<void> {
  const { layout, nodes } = cluster;
  const clusterId = readClusterRecord(layout)?.clusterId || newClusterId();
  writeClusterRecord(layout, { brokers: nodes.length === 3 ? 3 : 1, clusterId });
  const scram = cluster.sasl ? ['--add-scram', scramFormatArgument(cluster.sasl)] : [];
  const unformatted = nodes.filter((n) => !existsSync(join(n.dataDir, 'meta.properties')));
  await Promise.all(
    unformatted.map(async (node) => {
      mkdirSync(node.dataDir, { recursive: true });
      writeNodeFiles(cluster, node);
      const args = [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        node.propertiesFile,
        ...scram,
      ];
      await runToCompletion('java', javaRun(layout, args, ['-Xmx256m']), layout.root);
    }),
  );
}

/** Starts one node (its storage formatted already); returns its pid. */
export function startNode(cluster: KafkaCluster, node: KafkaNode, say: (line: string) => void): number {
  writeNodeFiles(cluster, node);
  const heap = cluster.nodes.length === 1 ? HEAP.single : HEAP.clusterNode;
  const pid = startProcess(
    nodeProcess(cluster, node),
    'java',
    javaRun(cluster.layout, ['kafka.Kafka', node.propertiesFile], heap),
    cluster.layout.root,
  );
  const security = cluster.sasl ? ', SASL/SCRAM-SHA-512' : '';
  const which = cluster.nodes.length === 1 ? '' : ` broker ${node.nodeId}`;
  say(`started Kafka ${versions.kafka}${which} (pid ${pid}) on ${node.host}:${node.port}${security}`);
  return pid;
}

export function nodeHealthy(cluster: KafkaCluster, node: KafkaNode): Promise<boolean> {
  return kafkaHealthy(node, cluster.sasl);
}

/**
 * Waits until the node answers and lists the brokers `expected` (node ids) as registered and unfenced: a
 * cluster node answers before it has heard of the others, and a topic with replication factor 3 cannot be
 * created until three are listed. Fails as soon as its process is gone (with its log file named).
 */
export function waitForNode(
  cluster: KafkaCluster,
  node: KafkaNode,
  expected: readonly number[],
  timeoutMs = 90_000,
): Promise<void> {
  const what = cluster.nodes.length === 1 ? 'Kafka broker' : `Kafka broker ${node.nodeId}`;
  const ready = async () => {
    if (!(await nodeHealthy(cluster, node))) return false;
    if (cluster.nodes.length === 1) return true;
    const seen = await brokersSeenBy(`${node.host}:${node.port}`, 2000, cluster.sasl);
    return seen !== null && expected.every((id) => seen.includes(id));
  };
  return waitFor(what, ready, nodeProcess(cluster, node), timeoutMs);
}

/** A port that answers but is neither a broker nor this node's starting process: not ours to take. */
export async function checkPortFree(cluster: KafkaCluster, node: KafkaNode): Promise<void> {
  if (runningPid(nodeProcess(cluster, node)) !== null) return;
  if (await portOpen(node.host, node.port)) {
    throw new UnavailableError(`port ${node.port} is taken by a process that is not a Kafka broker`);
  }
}

function brokerView(cluster: KafkaCluster, node: KafkaNode): StackBroker {
  const proc = nodeProcess(cluster, node);
  return {
    nodeId: node.nodeId,
    name: node.name,
    address: `${node.host}:${node.port}`,
    pid: runningPid(proc),
    logFile: proc.logFile,
  };
}

/** The cluster as formatted (a stack not formatted yet counts as the single broker it would be). */
export function formattedCluster(config: Config): KafkaCluster {
  return kafkaClusterOf(config, formattedBrokerCount(stackLayout(config)));
}

/** The brokers of the stack in `config`, by node id, with the pid of each that runs (null otherwise). */
export function stackBrokers(config: Config): StackBroker[] {
  const cluster = formattedCluster(config);
  return cluster.nodes.map((node) => brokerView(cluster, node));
}

function nodeOf(cluster: KafkaCluster, nodeId: number): KafkaNode {
  const node = cluster.nodes.find((n) => n.nodeId === nodeId);
  if (node) return node;
  const ids = cluster.nodes.map((n) => n.nodeId).join(', ');
  throw new ConfigError(`broker ${nodeId}: this stack (${cluster.layout.root}) has brokers ${ids}`);
}

/**
 * Starts broker `nodeId` again when it is not running (after a crash, a `kill -9`, `stopBroker`) and waits
 * until it answers and is registered (unfenced) again; a running broker is only waited for. Its replicas may
 * still be catching up (out of the ISR) when this returns. The cluster must have been formatted by `stack up`.
 */
export async function startBroker(
  config: Config,
  nodeId: number,
  say: (line: string) => void = () => undefined,
  timeoutMs = 90_000,
): Promise<StackBroker> {
  const layout = stackLayout(config);
  if (readClusterRecord(layout) === null) {
    throw new UnavailableError(
      `no Kafka cluster in ${join(layout.root, 'data')}; run \`capacity stack up\` first`,
    );
  }
  const cluster = formattedCluster(config);
  const node = nodeOf(cluster, nodeId);
  await checkPortFree(cluster, node);
  if (runningPid(nodeProcess(cluster, node)) === null) startNode(cluster, node, say);
  // Itself only: another broker may be down (or stopped by the same chaos test) meanwhile.
  await waitForNode(cluster, node, [node.nodeId], timeoutMs);
  return brokerView(cluster, node);
}

/** Stops broker `nodeId` cleanly (SIGTERM, SIGKILL after graceMs); the others keep running. */
export async function stopBroker(
  config: Config,
  nodeId: number,
  graceMs = 30_000,
): Promise<'not-running' | 'stopped' | 'killed'> {
  // By the node's files alone: stopping needs no valid ports in this shell's settings.
  const layout = stackLayout(config);
  const files = nodeFiles(layout, formattedBrokerCount(layout)).find((n) => n.nodeId === nodeId);
  if (!files) throw new ConfigError(`broker ${nodeId}: this stack (${layout.root}) has no such broker`);
  return stopProcess(nodeProcessOf(layout, files), graceMs);
}
