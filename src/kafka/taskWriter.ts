// One partition task's transactional writes: everything a batch produces plus the consumed offset, in one
// Kafka transaction. The producer is fenced on creation (connectFencedProducer).
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { connectFencedProducer } from './transactionalProducer';

export interface OutRecord {
  readonly topic: string;
  /** Explicit partition (changelogs: the task's own); omitted = by key hash. */
  readonly partition?: number;
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ConsumedOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1), as Kafka commits it. */
  readonly nextOffset: number;
}

/** For each "topic:partition" written with an explicit partition, the offset after the last record. */
export type WrittenOffsets = ReadonlyMap<string, number>;

export class TaskWriter {
  private constructor(private readonly producer: Producer) {}

  /** Connects and fences every earlier writer with this transactional id. */
  static async create(
    kafka: Kafka,
    transactionalId: string,
    transactionTimeoutMs: number,
  ): Promise<TaskWriter> {
    return new TaskWriter(await connectFencedProducer(kafka, { transactionalId, transactionTimeoutMs }));
  }

  /**
   * Sends the records, and the consumed offset when given, in one transaction and commits it. On any failure the
   * transaction is aborted (when still possible) and the error rethrown: nothing of it is visible.
   */
  async commit(records: readonly OutRecord[], consumed: ConsumedOffset | null): Promise<WrittenOffsets> {
    const transaction = await this.producer.transaction();
    try {
      const byTopic = new Map<string, Message[]>();
      for (const r of records) {
        const messages = byTopic.get(r.topic) ?? [];
        messages.push({
          key: r.key,
          value: r.value,
          ...(r.partition === undefined ? {} : { partition: r.partition }),
          ...(r.headers ? { headers: { ...r.headers } } : {}),
        });
        byTopic.set(r.topic, messages);
      }
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      const metadata =
        topicMessages.length > 0 ? await transaction.sendBatch({ topicMessages, acks: -1 }) : [];
      if (consumed) {
        await transaction.sendOffsets({
          consumerGroupId: consumed.groupId,
          topics: [
            {
              topic: consumed.topic,
              partitions: [{ partition: consumed.partition, offset: String(consumed.nextOffset) }],
            },
          ],
        });
      }
      await transaction.commit();
      return writtenOffsets(records, metadata);
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

function writtenOffsets(
  records: readonly OutRecord[],
  metadata: ReadonlyArray<{ topicName: string; partition: number; baseOffset?: string }>,
): WrittenOffsets {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.partition === undefined) continue;
    const key = `${r.topic}:${r.partition}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const result = new Map<string, number>();
  for (const m of metadata) {
    const key = `${m.topicName}:${m.partition}`;
    const count = counts.get(key);
    if (count !== undefined && m.baseOffset !== undefined) result.set(key, Number(m.baseOffset) + count);
  }
  return result;
}
