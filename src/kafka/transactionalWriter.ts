// The processor instance's one transactional producer (exactly-once v2, KIP-447): each cycle's records of
// every owned partition and the consumed offsets, committed with the consumer's group metadata, in ONE
// transaction. A zombie is fenced by the group generation: the coordinator refuses its offset commit, so
// its transaction can only abort (docs/adr/0004-processor-transactions.md).
import {
  Producer,
  type DeliveryReport,
  type LibrdKafkaError,
  type ProducerGlobalConfig,
} from '@confluentinc/kafka-javascript';
import { routeLogs, type Kafka } from './client';
import { partitionKey, type RdConsumer } from './rdConsumer';

export interface OutRecord {
  readonly topic: string;
  /** Explicit partition (changelogs: the task's own); omitted = by key hash (murmur2). */
  readonly partition?: number;
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ConsumedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1), as Kafka commits it. */
  readonly nextOffset: number;
}

/** For each "topic:partition" written with an explicit partition, the offset after the last record. */
export type WrittenOffsets = ReadonlyMap<string, number>;

/** How a failed transaction ended, so the caller knows what Kafka holds. */
export type TransactionFailure =
  /** Aborted: nothing of it is visible; the producer is usable. */
  | 'aborted'
  /** The producer is fenced or broken; whether the transaction committed is unknown until restored. */
  | 'unknown';

export class TransactionError extends Error {
  constructor(
    readonly outcome: TransactionFailure,
    cause: unknown,
  ) {
    super(`transaction failed (${outcome}): ${describe(cause)}`, { cause });
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Delivery {
  resolve(report: DeliveryReport): void;
  reject(error: unknown): void;
}

function call(fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

const isFatal = (error: unknown) => (error as { isFatal?: boolean } | null)?.isFatal === true;
const isRetriable = (error: unknown) => (error as { isRetriable?: boolean } | null)?.isRetriable === true;

export class TransactionalWriter {
  private constructor(
    private readonly producer: Producer,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects and initialises transactions: an earlier producer with this transactional id (this instance
   * before a crash) is fenced and its open transaction aborted before this returns.
   */
  static async create(
    kafka: Kafka,
    options: { transactionalId: string; transactionTimeoutMs: number },
  ): Promise<TransactionalWriter> {
    const producer = new Producer({
      ...kafka.rdkafka,
      'transactional.id': options.transactionalId,
      'transaction.timeout.ms': options.transactionTimeoutMs,
      'socket.timeout.ms': Math.min(
        Number(kafka.rdkafka['socket.timeout.ms'] ?? 30_000),
        options.transactionTimeoutMs,
      ),
      'enable.idempotence': true,
      acks: 'all',
      'linger.ms': 1,
      'batch.num.messages': 10_000,
      'queue.buffering.max.messages': 1_000_000,
      dr_cb: true,
      event_cb: true,
    } as ProducerGlobalConfig);
    routeLogs(producer, kafka.logger);
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: kafka.requestTimeoutMs }, (err) => (err ? reject(err) : resolve())),
    );
    producer.setPollInBackground(true);
    const writer = new TransactionalWriter(producer, Math.max(kafka.requestTimeoutMs, 10_000));
    producer.on('delivery-report', (err, report) => {
      const delivery = report.opaque as Delivery | undefined;
      if (!delivery) return;
      if (err) delivery.reject(err);
      else delivery.resolve(report);
    });
    try {
      await call((cb) => producer.initTransactions(writer.timeoutMs, cb));
    } catch (error) {
      await writer.close();
      throw error;
    }
    return writer;
  }

  /**
   * Sends the records and the consumed offsets (with `member`'s group metadata) in one transaction and
   * commits it. Throws TransactionError saying whether the transaction is known to be aborted.
   */
  async commit(
    records: readonly OutRecord[],
    consumed: readonly ConsumedOffset[],
    member: RdConsumer,
  ): Promise<WrittenOffsets> {
    try {
      await call((cb) => this.producer.beginTransaction(cb));
    } catch (error) {
      throw new TransactionError(isFatal(error) ? 'unknown' : 'aborted', error);
    }
    try {
      const deliveries = Promise.all(records.map((r) => this.produce(r)));
      deliveries.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      if (consumed.length > 0) {
        await call((cb) =>
          this.producer.sendOffsetsToTransaction(
            consumed.map(({ topic, partition, nextOffset }) => ({ topic, partition, offset: nextOffset })),
            member.client,
            this.timeoutMs,
            cb,
          ),
        );
      }
      const reports = await deliveries;
      await this.commitWithRetries();
      return writtenOffsets(records, reports);
    } catch (error) {
      throw new TransactionError(await this.abortAfter(error), error);
    }
  }

  private produce(record: OutRecord): Promise<DeliveryReport> {
    return new Promise((resolve, reject) => {
      const headers = record.headers
        ? Object.entries(record.headers).map(([name, value]) => ({ [name]: Buffer.from(value) }))
        : undefined;
      try {
        this.producer.produce(
          record.topic,
          record.partition ?? -1,
          record.value,
          record.key ?? undefined,
          null,
          { resolve, reject } satisfies Delivery,
          headers,
        );
      } catch (error) {
        reject(error);
      }
    });
  }

  /** librdkafka: a retriable commit error (e.g. a timeout) is retried with the same call. */
  private async commitWithRetries(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call((cb) => this.producer.commitTransaction(this.timeoutMs, cb));
        return;
      } catch (error) {
        if (!isRetriable(error) || attempt >= 3) throw error;
      }
    }
  }

  private async abortAfter(error: unknown): Promise<TransactionFailure> {
    if (isFatal(error)) return 'unknown';
    try {
      await call((cb) => this.producer.abortTransaction(this.timeoutMs, cb));
      return 'aborted';
    } catch {
      return 'unknown';
    }
  }

  async close(): Promise<void> {
    if (!this.producer.isConnected()) return;
    await new Promise<void>((resolve) => this.producer.disconnect(5000, () => resolve()));
  }
}

function writtenOffsets(records: readonly OutRecord[], reports: readonly DeliveryReport[]): WrittenOffsets {
  const result = new Map<string, number>();
  reports.forEach((report, i) => {
    if (records[i]?.partition === undefined) return;
    const key = partitionKey(report.topic, report.partition);
    result.set(key, Math.max(result.get(key) ?? 0, report.offset + 1));
  });
  return result;
}
