// A consumer-group member for sinks that keep their own positions (the warehouse connector, `capacity
// tail`): several topics, read_committed, never commits to Kafka, reports every assignment so the caller can
// seek to the positions it stored, and can pause and resume all fetching for back-pressure.
import type { Consumer, Kafka } from 'kafkajs';

export interface SinkMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface SinkBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
  readonly messages: readonly SinkMessage[];
}

export interface SinkAssignment {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface SinkConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  /** Called on every (re)join with what this member now owns; seek from here. */
  readonly onAssignment: (assignment: readonly SinkAssignment[]) => void;
  readonly onBatch: (batch: SinkBatch, heartbeat: () => Promise<void>) => Promise<void>;
  readonly onCrash: (error: Error, willRestart: boolean) => void;
}

export class SinkConsumer {
  private readonly consumer: Consumer;
  private assignment: readonly SinkAssignment[] = [];
  private paused = false;

  constructor(
    kafka: Kafka,
    private readonly options: SinkConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1024 * 1024,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignment = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions,
      }));
      if (this.paused) this.consumer.pause(this.assignment.map(({ topic }) => ({ topic })));
      options.onAssignment(this.assignment);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      options.onCrash(payload.error, payload.restart),
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale()) return;
        await this.options.onBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: Number(batch.highWatermark),
            messages: batch.messages.map((m) => ({
              offset: Number(m.offset),
              key: m.key,
              value: m.value,
              timestamp: Number(m.timestamp),
            })),
          },
          heartbeat,
        );
      },
    });
  }

  /** The next fetch of this partition starts at `offset` (batches already fetched are dropped). */
  seek(topic: string, partition: number, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  /** Stops fetching every assigned partition until `resume()`. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async stop(): Promise<void> {
    await this.consumer.stop().catch(() => undefined);
    await this.consumer.disconnect().catch(() => undefined);
  }
}
