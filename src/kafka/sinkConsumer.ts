// A consumer-group member for sinks that keep their own positions (the warehouse connector, `capacity
// tail`): several topics, read_committed, never commits to Kafka, reports every assignment so the caller can
// seek to the positions it stored, and can pause and resume all fetching for back-pressure.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { type LibrdKafkaError, type TopicPartition } from '@confluentinc/kafka-javascript';
import type { Kafka } from './client';

const ASSIGN = -175;

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
  /** `heartbeat` is a no-op kept for callers: librdkafka heartbeats on its own thread. */
  readonly onBatch: (batch: SinkBatch, heartbeat: () => Promise<void>) => Promise<void>;
  readonly onCrash: (error: Error, willRestart: boolean) => void;
}

export class SinkConsumer {
  private readonly consumer: KafkaJS.Consumer;
  private assignment: readonly SinkAssignment[] = [];
  private paused = false;

  constructor(
    kafka: Kafka,
    private readonly options: SinkConsumerOptions,
  ) {
    this.consumer = kafka.kafkaJS.consumer({
      // Eager assignment: every rebalance hands this member its whole assignment, and the caller seeks
      // each partition to the position it stored.
      rebalance_cb: (err: LibrdKafkaError, assignment: TopicPartition[]) => {
        if (err.code !== ASSIGN) return;
        const byTopic = new Map<string, number[]>();
        for (const { topic, partition } of assignment)
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
        this.assignment = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
        // After the client has applied the assignment (it does so when this callback returns).
        setImmediate(() => {
          if (this.paused) this.pauseAll();
          options.onAssignment(this.assignment);
        });
      },
      'js.consumer.max.batch.size': 2000,
      kafkaJS: {
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
        readUncommitted: false,
        fromBeginning: true,
        autoCommit: false,
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 1024 * 1024,
      },
    } as KafkaJS.ConsumerConstructorConfig);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics] });
    void this.consumer
      .run({
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, isRunning, isStale }) => {
          if (!isRunning() || isStale()) return;
          await this.options.onBatch(
            {
              topic: batch.topic,
              partition: batch.partition,
              highWatermark: Number(batch.highWatermark),
              messages: batch.messages.map((m) => ({
                offset: Number(m.offset),
                key: m.key ?? null,
                value: m.value ?? null,
                timestamp: Number(m.timestamp),
              })),
            },
            async () => undefined, // librdkafka heartbeats on its own thread
          );
        },
      })
      .catch((error: Error) => this.options.onCrash(error, false));
  }

  private pauseAll(): void {
    if (this.assignment.length > 0) this.consumer.pause(this.assignment.map(({ topic }) => ({ topic })));
  }

  /** The next fetch of this partition starts at `offset` (batches already fetched are dropped). */
  seek(topic: string, partition: number, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  /** Stops fetching every assigned partition until `resume()`. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pauseAll();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.assignment.length > 0) this.consumer.resume(this.assignment.map(({ topic }) => ({ topic })));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}
