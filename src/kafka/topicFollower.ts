// Follows a whole topic from the beginning, forever, without committing: for in-memory read models that
// rebuild on every start. Reports progress per partition (including batches that held only control
// records, which never reach the record callback) so callers can tell when they have caught up.
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { RecordRead } from './readToEnd';
import { retryRetriable } from './retriable';

export interface FollowerProgress {
  readonly partition: number;
  /** The next offset to read. */
  readonly position: number;
  readonly highWatermark: number;
}

export interface TopicFollowerOptions {
  readonly topic: string;
  readonly groupPrefix: string;
  readonly onRecords: (records: readonly RecordRead[]) => Promise<void>;
  readonly onProgress: (progress: FollowerProgress) => void;
  readonly onCrash: (error: Error) => void;
}

export class TopicFollower {
  private readonly consumer: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: TopicFollowerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: `${options.groupPrefix}-${randomBytes(6).toString('hex')}`,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
    });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      options.onProgress({
        partition: payload.partition,
        position: Number(payload.lastOffset) + 1,
        highWatermark: Number(payload.highWatermark),
      }),
    );
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) options.onCrash(payload.error);
    });
  }

  /** End offsets now, per partition: what "caught up at start-up" means. */
  async endOffsets(): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await retryRetriable(() => admin.fetchTopicOffsets(this.options.topic));
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        await this.options.onRecords(
          batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            headers: {},
          })),
        );
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}
