import type { Kafka } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { TopicDriftError } from '../errors';
import { retryRetriable } from './retriable';

/** What the adapter needs to know about a topic; mirrors contracts' TopicSpec without importing it. */
export interface DesiredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: string;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicReport {
  readonly created: readonly string[];
  readonly existing: readonly string[];
  /** One line per difference between an existing topic and its spec. */
  readonly drift: readonly string[];
}

/**
 * Creates missing topics and checks existing ones. Idempotent. Partition count and cleanup policy of an
 * existing topic are never changed here (that would move pools between partitions): they are reported.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly DesiredTopic[],
  replicationFactor: number,
): Promise<TopicReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const initiallyPresent = new Set(await retryRetriable(() => admin.listTopics()));
    const missing = topics.filter((t) => !initiallyPresent.has(t.name));
    // A broker that has just started may not host every partition yet ("does not host this
    // topic-partition" while waiting for leaders): retry, creating only what is still missing.
    await retryRetriable(async () => {
      const present = new Set(await admin.listTopics());
      const toCreate = missing.filter((t) => !present.has(t.name));
      if (toCreate.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor,
          configEntries: [
            { name: 'cleanup.policy', value: t.cleanupPolicy },
            ...Object.entries(t.configs).map(([name, value]) => ({ name, value })),
          ],
        })),
      });
    }, 20);
    const present = initiallyPresent;
    const existing = topics.filter((t) => present.has(t.name));
    const drift = existing.length === 0 ? [] : await findDrift(admin, existing);
    return { created: missing.map((t) => t.name), existing: existing.map((t) => t.name), drift };
  } finally {
    await admin.disconnect();
  }
}

/** Like ensureTopics, but throws TopicDriftError listing every difference. */
export async function ensureTopicsOrThrow(
  kafka: Kafka,
  topics: readonly DesiredTopic[],
  replicationFactor: number,
): Promise<TopicReport> {
  const report = await ensureTopics(kafka, topics, replicationFactor);
  if (report.drift.length > 0) {
    throw new TopicDriftError(
      `Existing topics differ from the service's topic specs:\n  ${report.drift.join('\n  ')}`,
      { drift: report.drift },
    );
  }
  return report;
}

async function findDrift(
  admin: ReturnType<Kafka['admin']>,
  topics: readonly DesiredTopic[],
): Promise<string[]> {
  const drift: string[] = [];
  const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((t) => ({
      type: ConfigResourceTypes.TOPIC,
      name: t.name,
      configNames: ['cleanup.policy'],
    })),
  });
  for (const topic of topics) {
    const partitions = metadata.topics.find((m) => m.name === topic.name)?.partitions.length ?? 0;
    if (partitions !== topic.partitions) {
      drift.push(`${topic.name}: has ${partitions} partitions, expected ${topic.partitions}`);
    }
    const resource = described.resources.find((r) => r.resourceName === topic.name);
    const policy = resource?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== topic.cleanupPolicy) {
      drift.push(`${topic.name}: has cleanup.policy=${policy ?? 'unknown'}, expected ${topic.cleanupPolicy}`);
    }
  }
  return drift;
}

/** Cleanup policy and partition count of a topic as the broker reports them (tests and `stack status`). */
export async function describeTopic(
  kafka: Kafka,
  name: string,
): Promise<{ partitions: number; configs: Record<string, string> }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name }],
    });
    const configs: Record<string, string> = {};
    for (const entry of described.resources[0]?.configEntries ?? [])
      configs[entry.configName] = entry.configValue;
    return { partitions: metadata.topics[0]?.partitions.length ?? 0, configs };
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (in chunks); returns how many were deleted. Used by test teardown and tooling. */
export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < names.length; i += 100) {
      await retryRetriable(() => admin.deleteTopics({ topics: names.slice(i, i + 100), timeout: 30_000 }));
    }
    return names.length;
  } finally {
    await admin.disconnect();
  }
}

/** All topic names in the cluster. */
export async function listTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await retryRetriable(() => admin.listTopics());
  } finally {
    await admin.disconnect();
  }
}
