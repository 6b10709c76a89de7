// A consumer-group member that hands batches of one partition at a time to the processor, reports each
// new assignment (kafkajs has no revoke callback, so the caller diffs assignments), never auto-commits
// (offsets are committed inside the tasks' transactions) and redelivers a batch whose offsets were not
// resolved.
import type { Consumer, Kafka } from 'kafkajs';

export interface InputMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InputBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
  /** The offset this fetch started at. Offsets between it and the first message hold no records. */
  readonly fetchedOffset: number;
  readonly messages: readonly InputMessage[];
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** Marks every offset up to and including `offset` as processed (the next fetch starts after it). */
  resolve(offset: number): void;
  /** Makes the next fetch of this partition start at `offset`; the rest of this batch is dropped. */
  seek(offset: number): void;
  /** False once the consumer is stopping or this batch's partition was revoked. */
  isCurrent(): boolean;
}

export interface PartitionedConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  readonly partitionsConsumedConcurrently: number;
  readonly onAssignment: (partitions: readonly number[]) => void;
  readonly onBatch: (batch: InputBatch, control: BatchControl) => Promise<void>;
  readonly onCrash: (error: Error, willRestart: boolean) => void;
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (Buffer.isBuffer(value) || typeof value === 'string') headers[name] = value.toString();
  }
  return headers;
}

export class PartitionedConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: PartitionedConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      readUncommitted: false,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 1024 * 1024,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      options.onAssignment(payload.memberAssignment[options.topic] ?? []);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      options.onCrash(payload.error, payload.restart),
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale }) => {
        const input: InputBatch = {
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: Number(batch.highWatermark),
          fetchedOffset: Number((batch as unknown as { fetchedOffset: string }).fetchedOffset),
          messages: batch.messages.map((m) => ({
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            headers: headersOf(m.headers as Record<string, unknown> | undefined),
          })),
        };
        await this.options.onBatch(input, {
          heartbeat,
          resolve: (offset) => resolveOffset(String(offset)),
          seek: (offset) =>
            this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(offset) }),
          isCurrent: () => isRunning() && !isStale(),
        });
      },
    });
  }

  /** Stops fetching and waits for the batches in progress; then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.stop().catch(() => undefined);
    await this.consumer.disconnect().catch(() => undefined);
  }
}
