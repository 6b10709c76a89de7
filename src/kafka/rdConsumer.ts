// librdkafka's consumer (the librdkafka-style API of @confluentinc/kafka-javascript) behind promises: manual
// assignment, consuming across every assigned partition in one call, end-of-partition events. The
// KafkaJS-style consumer has none of the first two.
import {
  KafkaConsumer,
  type ConsumerGlobalConfig,
  type LibrdKafkaError,
  type Message,
  type TopicPartition,
  type TopicPartitionOffset,
} from '@confluentinc/kafka-javascript';
import { routeLogs, type Kafka } from './client';

export type { Message, TopicPartition, TopicPartitionOffset };

/** Per "topic:partition" key, used by every reader here. */
export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** A record as our readers hand it on: key and value as bytes, headers as strings. */
/** librdkafka's "Local: Fatal error" (RD_KAFKA_RESP_ERR__FATAL). */
const ERR_FATAL = -150;

/**
 * A client error after which the client is dead (librdkafka's fatal error: for a consumer, e.g. a static
 * member fenced by its coordinator): it must be replaced, retrying is pointless. A producer's fatal errors
 * reach the processor inside a TransactionError and are handled by replacing the producer.
 */
export function isFatalClientError(error: unknown): boolean {
  const e = error as { code?: unknown; isFatal?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.isFatal === true || e.code === ERR_FATAL);
}

export interface RecordRead {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export function recordOf(m: Message): RecordRead {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key === undefined || m.key === null ? null : Buffer.from(m.key),
    value: m.value ?? null,
    headers: headersOf(m),
  };
}

function headersOf(message: Message): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of message.headers ?? []) {
    for (const [name, value] of Object.entries(header)) headers[name] = value.toString();
  }
  return headers;
}

function settle<T>(resolve: (value: T) => void, reject: (error: unknown) => void) {
  return (err: LibrdKafkaError | null | undefined, value: T) => (err ? reject(err) : resolve(value));
}

/** Methods the client has but its type declarations lack (lib/kafka-consumer.js). */
interface CooperativeConsumer {
  incrementalAssign(assignments: TopicPartition[]): void;
  incrementalUnassign(assignments: TopicPartition[]): void;
  assignmentLost(): boolean;
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
}

export type Client = KafkaConsumer & CooperativeConsumer;

export class RdConsumer {
  /** End-of-partition events since the last `consume` (needs `enable.partition.eof`). */
  readonly eofs: TopicPartitionOffset[] = [];

  private constructor(readonly client: Client) {
    client.on('partition.eof', (eof) => this.eofs.push(eof));
  }

  /** Connects a consumer with the cluster settings of `kafka` and the consumer properties given. */
  static async connect(kafka: Kafka, properties: ConsumerGlobalConfig): Promise<RdConsumer> {
    const client = new KafkaConsumer(
      {
        ...kafka.rdkafka,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'isolation.level': 'read_committed',
        'fetch.wait.max.ms': 50,
        'fetch.error.backoff.ms': 50,
        event_cb: true,
        ...properties,
      } as ConsumerGlobalConfig,
      { 'auto.offset.reset': 'earliest' },
    );
    routeLogs(client, kafka.logger);
    await new Promise<void>((resolve, reject) =>
      client.connect({ timeout: kafka.requestTimeoutMs }, (err) => (err ? reject(err) : resolve())),
    );
    const cooperative = client as Client;
    cooperative.setDefaultConsumeTimeout(50);
    // Return as soon as one message is there, with what else is fetched: no waiting to fill a batch.
    cooperative.setDefaultIsTimeoutOnlyForFirstMessage(true);
    return new RdConsumer(cooperative);
  }

  /** Up to `max` messages from any assigned partitions, waiting at most `timeoutMs` for the first one. */
  consume(max: number, timeoutMs = 50): Promise<Message[]> {
    this.client.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => this.client.consume(max, settle(resolve, reject)));
  }

  assign(partitions: readonly TopicPartitionOffset[]): void {
    this.client.assign([...partitions]);
  }

  seek(topic: string, partition: number, offset: number, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.seek({ topic, partition, offset }, timeoutMs, (err) => (err ? reject(err) : resolve())),
    );
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0)
      this.client.pause(partitions.map(({ topic, partition }) => ({ topic, partition })));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0)
      this.client.resume(partitions.map(({ topic, partition }) => ({ topic, partition })));
  }

  /** The group's committed offsets (read_committed consumers wait for pending transactional commits). */
  committed(partitions: readonly TopicPartition[], timeoutMs: number): Promise<TopicPartitionOffset[]> {
    return new Promise((resolve, reject) =>
      this.client.committed([...partitions], timeoutMs, settle(resolve, reject)),
    );
  }

  /** Low and high watermark from the broker (high = end offset, including open transactions). */
  watermarks(topic: string, partition: number, timeoutMs = 5000): Promise<{ low: number; high: number }> {
    return new Promise((resolve, reject) =>
      this.client.queryWatermarkOffsets(topic, partition, timeoutMs, (err, offsets) =>
        err ? reject(err) : resolve({ low: offsets.lowOffset, high: offsets.highOffset }),
      ),
    );
  }

  /** The high watermark last seen in a fetch response (no request). */
  cachedHighWatermark(topic: string, partition: number): number | null {
    try {
      const { highOffset } = this.client.getWatermarkOffsets(topic, partition);
      return highOffset >= 0 ? highOffset : null;
    } catch {
      return null;
    }
  }

  /** Partition counts of topics, from the cluster's metadata. */
  partitionCounts(topics: readonly string[], timeoutMs = 5000): Promise<Map<string, number>> {
    return new Promise((resolve, reject) =>
      this.client.getMetadata({ timeout: timeoutMs }, (err, metadata) => {
        if (err) return reject(err);
        const counts = new Map<string, number>();
        for (const topic of metadata.topics) {
          if (topics.includes(topic.name)) counts.set(topic.name, topic.partitions.length);
        }
        resolve(counts);
      }),
    );
  }

  async disconnect(): Promise<void> {
    if (!this.client.isConnected()) return;
    await new Promise<void>((resolve) => this.client.disconnect(() => resolve()));
  }
}
