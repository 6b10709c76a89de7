// The shape of the stack's Kafka cluster: how many brokers it was formatted with (recorded in its data
// folder, next to the log dirs, so both go together when data/ is deleted), its cluster id, and each node's
// files. A cluster's size is fixed at format time: its static quorum (controller.quorum.voters) and the
// replication factor of its internal topics are in its first metadata records.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors';
import type { BrokerCount, BrokerEndpoint, StackEndpoints, StackLayout } from './layout';

export const BROKER_COUNTS: readonly BrokerCount[] = [1, 3];

/** The files of one broker of the stack, which depend on the stack folder and broker count alone. */
export interface NodeFiles {
  readonly nodeId: number;
  /** "kafka" for the single broker (the names the stack always had), "kafka-<node id>" in a cluster. */
  readonly name: string;
  readonly dataDir: string;
  readonly propertiesFile: string;
}

/** One broker of the stack: a combined broker + controller KRaft node, where it listens and its files. */
export interface KafkaNode extends BrokerEndpoint, NodeFiles {}

export interface ClusterRecord {
  readonly brokers: BrokerCount;
  readonly clusterId: string;
}

/** `--brokers <n>` as typed; only the sizes the stack knows how to run. */
export function parseBrokerCount(raw: string): BrokerCount {
  const count = Number(raw);
  if (count === 1 || count === 3) return count;
  throw new ConfigError(`--brokers: must be 1 or 3 (got "${raw}")`);
}

/** Each node's files (pure): `stack down` and `status` find a cluster's processes by these alone. */
export function nodeFiles(layout: StackLayout, count: BrokerCount): NodeFiles[] {
  return Array.from({ length: count }, (_, index) => {
    const nodeId = index + 1;
    const name = count === 1 ? 'kafka' : `kafka-${nodeId}`;
    return {
      nodeId,
      name,
      dataDir: count === 1 ? layout.kafkaData : join(layout.root, 'data', name),
      propertiesFile: join(layout.run, `${name}.properties`),
    };
  });
}

/** The nodes of a stack whose endpoints were computed for its broker count (pure). */
export function kafkaNodes(endpoints: StackEndpoints, layout: StackLayout): KafkaNode[] {
  const count = endpoints.brokers.length === 1 ? 1 : 3;
  return nodeFiles(layout, count).map((files, index) => ({
    ...(endpoints.brokers[index] as BrokerEndpoint),
    ...files,
  }));
}

export function renderClusterRecord(record: ClusterRecord): string {
  return [
    '# Written by `capacity stack up` when it formatted this Kafka cluster; delete data/ to start over.',
    `brokers=${record.brokers}`,
    `cluster.id=${record.clusterId}`,
    '',
  ].join('\n');
}

export function parseClusterRecord(text: string, file: string): ClusterRecord {
  const value = (key: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .trim();
  const brokers = Number(value('brokers'));
  const clusterId = value('cluster.id');
  if ((brokers !== 1 && brokers !== 3) || !clusterId) {
    throw new ConfigError(
      `${file}: expected brokers=1 or 3 and a cluster.id; delete the stack's data folder to format a new cluster`,
    );
  }
  return { brokers, clusterId };
}

const formatted = (dataDir: string) => existsSync(join(dataDir, 'meta.properties'));

/**
 * How the stack's cluster was formatted, or null when it was not. A record whose log dirs are all gone
 * (data/kafka deleted to start over, as the SASL message says) is stale: a new cluster is formatted. A stack
 * formatted before the count was recorded has only data/kafka/meta.properties: a single broker, whose
 * cluster id the storage tool keeps there.
 */
export function readClusterRecord(layout: StackLayout): ClusterRecord | null {
  if (existsSync(layout.kafkaCluster)) {
    const record = parseClusterRecord(readFileSync(layout.kafkaCluster, 'utf8'), layout.kafkaCluster);
    return nodeFiles(layout, record.brokers).some((n) => formatted(n.dataDir)) ? record : null;
  }
  if (!formatted(layout.kafkaData)) return null;
  const meta = readFileSync(join(layout.kafkaData, 'meta.properties'), 'utf8');
  return { brokers: 1, clusterId: /^cluster\.id=(.+)$/m.exec(meta)?.[1]?.trim() ?? '' };
}

/** True once the broker storage is formatted (its cluster id, broker count and SASL user are fixed). */
export function kafkaFormatted(layout: StackLayout): boolean {
  return readClusterRecord(layout) !== null;
}

export function writeClusterRecord(layout: StackLayout, record: ClusterRecord): void {
  mkdirSync(dirname(layout.kafkaCluster), { recursive: true });
  writeFileSync(layout.kafkaCluster, renderClusterRecord(record));
}

/**
 * The broker count to run: the one asked for, which must be the recorded one on a formatted cluster; without
 * a request, the recorded one (so `capacity start` and a plain `stack up` restart a cluster as it is), or 1.
 */
export function resolveBrokerCount(
  recorded: BrokerCount | null,
  requested: BrokerCount | undefined,
  layout: StackLayout,
): BrokerCount {
  if (requested === undefined || recorded === null || recorded === requested)
    return requested ?? recorded ?? 1;
  const data = join(layout.root, 'data');
  const was = recorded === 1 ? '1 broker' : `${recorded} brokers`;
  throw new ConfigError(
    `--brokers ${requested}: this stack's Kafka cluster (${data}) was formatted with ${was}, and a cluster ` +
      `keeps its size; run \`capacity stack down\`, delete ${data} (all topics, the registry's schemas and ` +
      `PostgreSQL's data) and run \`capacity stack up --brokers ${requested}\` again, or use another ` +
      'CAPACITY_STACK_DIR',
  );
}

/** The service settings that point a client at the cluster (printed by `stack up` for a cluster). */
export function clientSettings(nodes: readonly KafkaNode[]): string[] {
  return [
    `CAPACITY_BROKERS=${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    `CAPACITY_REPLICATION_FACTOR=${nodes.length}`,
  ];
}
