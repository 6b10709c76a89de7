// Follows a whole topic from the beginning, forever, without a consumer group: for in-memory read models
// that rebuild on every start. Reports progress per partition (end-of-partition events included: a
// partition that ends in commit markers never delivers those offsets) so callers know when they caught up.
import type { Kafka } from './client';
import { RdConsumer, recordOf, type RecordRead } from './rdConsumer';
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
  /** A throw makes the follower read the same records again after a short pause (nothing is skipped). */
  readonly onRecords: (records: readonly RecordRead[]) => Promise<void>;
  readonly onProgress: (progress: FollowerProgress) => void;
  readonly onCrash: (error: Error) => void;
}

const OFFSET_BEGINNING = -2;

export class TopicFollower {
  private consumer: RdConsumer | null = null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: TopicFollowerOptions,
  ) {}

  private async connect(): Promise<RdConsumer> {
    this.consumer ??= await RdConsumer.connect(this.kafka, {
      'group.id': `${this.options.groupPrefix}-follower`,
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 20,
    });
    return this.consumer;
  }

  /** End offsets now, per partition: what "caught up at start-up" means. */
  async endOffsets(): Promise<Map<number, number>> {
    const consumer = await this.connect();
    const count =
      (await retryRetriable(() => consumer.partitionCounts([this.options.topic]))).get(this.options.topic) ??
      0;
    const ends = new Map<number, number>();
    for (let partition = 0; partition < count; partition++) {
      const { high } = await retryRetriable(() => consumer.watermarks(this.options.topic, partition));
      ends.set(partition, high);
    }
    return ends;
  }

  async start(): Promise<void> {
    const consumer = await this.connect();
    const count =
      (await retryRetriable(() => consumer.partitionCounts([this.options.topic]))).get(this.options.topic) ??
      0;
    consumer.assign(
      Array.from({ length: count }, (_, partition) => ({
        topic: this.options.topic,
        partition,
        offset: OFFSET_BEGINNING,
      })),
    );
    this.running = true;
    this.loop = this.run(consumer);
  }

  private async run(consumer: RdConsumer): Promise<void> {
    const { topic } = this.options;
    while (this.running) {
      let records: RecordRead[] = [];
      try {
        const messages = await consumer.consume(5000, 100);
        records = messages.map(recordOf);
        if (records.length > 0) await this.options.onRecords(records);
      } catch (error) {
        if (!this.running) return;
        if (records.length === 0) {
          this.options.onCrash(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        // Read the same records again: the first offset of each partition in the failed batch.
        const firsts = new Map<number, number>();
        for (const r of records) if (!firsts.has(r.partition)) firsts.set(r.partition, r.offset);
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const [partition, offset] of firsts)
          await consumer.seek(topic, partition, offset).catch(() => undefined);
        continue;
      }
      const last = new Map<number, number>();
      for (const r of records) last.set(r.partition, r.offset + 1);
      for (const [partition, position] of last) {
        const high = consumer.cachedHighWatermark(topic, partition) ?? position;
        this.options.onProgress({ partition, position, highWatermark: Math.max(high, position) });
      }
      for (const eof of consumer.eofs.splice(0)) {
        if (eof.topic === topic)
          this.options.onProgress({
            partition: eof.partition,
            position: eof.offset,
            highWatermark: eof.offset,
          });
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.consumer?.disconnect();
    this.consumer = null;
  }
}
