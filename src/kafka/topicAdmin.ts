import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { TopicDriftError } from '../errors';
import type { Kafka } from './client';
import { retryRetriable } from './retriable';
import { describeTopicConfigs } from './topicConfigs';

type Admin = KafkaJS.Admin;

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.kafkaJS.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

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
  return withAdmin(kafka, async (admin) => {
    const initiallyPresent = new Set(await retryRetriable(() => admin.listTopics()));
    const missing = topics.filter((t) => !initiallyPresent.has(t.name));
    // A broker that has just started may not host every partition yet: retry, creating only what is
    // still missing.
    await retryRetriable(async () => {
      const present = new Set(await admin.listTopics());
      const toCreate = missing.filter((t) => !present.has(t.name));
      if (toCreate.length === 0) return;
      await admin.createTopics({
        timeout: 30_000,
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
    if (missing.length > 0)
      await waitForLeaders(
        admin,
        missing.map((t) => t.name),
      );
    const existing = topics.filter((t) => initiallyPresent.has(t.name));
    const drift = existing.length === 0 ? [] : await findDrift(kafka, admin, existing);
    return { created: missing.map((t) => t.name), existing: existing.map((t) => t.name), drift };
  });
}

/** New topics are usable once every partition has a leader. */
async function waitForLeaders(admin: Admin, names: readonly string[]): Promise<void> {
  await retryRetriable(async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
    const leaderless = metadata.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map(() => t.name));
    if (leaderless.length > 0) {
      throw Object.assign(new Error(`no leader yet for ${leaderless[0]}`), { retriable: true });
    }
  }, 40);
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

async function findDrift(kafka: Kafka, admin: Admin, topics: readonly DesiredTopic[]): Promise<string[]> {
  const drift: string[] = [];
  const metadata = await retryRetriable(() =>
    admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) }),
  );
  const configs = await describeTopicConfigs(
    kafka,
    topics.map((t) => t.name),
  );
  for (const topic of topics) {
    const partitions = metadata.find((m) => m.name === topic.name)?.partitions.length ?? 0;
    if (partitions !== topic.partitions) {
      drift.push(`${topic.name}: has ${partitions} partitions, expected ${topic.partitions}`);
    }
    const actual = configs.get(topic.name) ?? {};
    const policy = actual['cleanup.policy'];
    if (policy !== topic.cleanupPolicy) {
      drift.push(`${topic.name}: has cleanup.policy=${policy ?? 'unknown'}, expected ${topic.cleanupPolicy}`);
    }
    // Durability: an acks=all write acknowledged by the leader alone is not what the spec asks for.
    const isr = topic.configs['min.insync.replicas'];
    if (isr !== undefined && actual['min.insync.replicas'] !== isr) {
      drift.push(
        `${topic.name}: has min.insync.replicas=${actual['min.insync.replicas'] ?? 'unknown'}, expected ${isr}`,
      );
    }
  }
  return drift;
}

/** Configs and partition count of a topic as the broker reports them (tests and `stack status`). */
export async function describeTopic(
  kafka: Kafka,
  name: string,
): Promise<{ partitions: number; configs: Record<string, string> }> {
  return withAdmin(kafka, async (admin) => {
    const metadata = await retryRetriable(() => admin.fetchTopicMetadata({ topics: [name] }));
    const configs = (await describeTopicConfigs(kafka, [name])).get(name) ?? {};
    return { partitions: metadata[0]?.partitions.length ?? 0, configs };
  });
}

/** Deletes topics (in chunks); returns how many were deleted. Used by test teardown and tooling. */
export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  return withAdmin(kafka, async (admin) => {
    for (let i = 0; i < names.length; i += 100) {
      await retryRetriable(() => admin.deleteTopics({ topics: names.slice(i, i + 100), timeout: 30_000 }));
    }
    return names.length;
  });
}

/** All topic names in the cluster. */
export async function listTopics(kafka: Kafka): Promise<string[]> {
  return withAdmin(kafka, (admin) => retryRetriable(() => admin.listTopics()));
}

/** Per partition of a topic, its log start and end offset (high watermark, open transactions included). */
export async function topicOffsets(
  kafka: Kafka,
  topic: string,
): Promise<Map<number, { low: number; high: number }>> {
  const reader = await OffsetReader.connect(kafka);
  try {
    return await reader.offsets(topic);
  } finally {
    await reader.close();
  }
}

/**
 * Low and high watermarks over one long-lived admin connection: what a processor asks at every takeover
 * and restore, without paying a new client's connection each time.
 */
export class OffsetReader {
  private constructor(private readonly admin: Admin | null) {}

  static async connect(kafka: Kafka): Promise<OffsetReader> {
    const admin = kafka.kafkaJS.admin();
    await admin.connect();
    return new OffsetReader(admin);
  }

  /** Per partition of `topic`: low watermark (log start) and high watermark (end, open transactions included). */
  async offsets(topic: string): Promise<Map<number, { low: number; high: number }>> {
    const admin = this.admin;
    if (!admin) throw new Error('offset reader is closed');
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic));
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** Per partition of a topic, its end offset (high watermark) now. */
export async function topicEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const offsets = await topicOffsets(kafka, topic);
  return new Map([...offsets].map(([partition, { high }]) => [partition, high]));
}
