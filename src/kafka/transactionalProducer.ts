import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export type { Producer };

export interface TransactionalProducerOptions {
  readonly transactionalId: string;
  /** The broker aborts a transaction left open longer than this (a crashed owner's). */
  readonly transactionTimeoutMs?: number;
}

/**
 * Connects a transactional producer and fences every earlier producer with the same transactional id
 * before returning.
 *
 * kafkajs 2.2.4 only sends the transactional InitProducerId lazily, in the first `transaction()` call
 * (`connect()` initialises a separate, non-transactional producer id). Until then an old owner can still
 * commit. So we begin and abort an empty transaction: InitProducerId bumps the epoch, the coordinator
 * aborts the previous owner's open transaction (kafkajs retries CONCURRENT_TRANSACTIONS until it has),
 * and the empty abort itself sends nothing.
 */
export async function connectFencedProducer(
  kafka: Kafka,
  options: TransactionalProducerOptions,
): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId: options.transactionalId,
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    transactionTimeout: options.transactionTimeoutMs ?? 60_000,
  });
  await producer.connect();
  try {
    const fence = await producer.transaction();
    await fence.abort();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

const FENCING_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/** True when the error means another producer owns this transactional id now: this one is a zombie. */
export function isFencingError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: string }).type;
    if (type !== undefined && FENCING_TYPES.has(type)) return true;
    if (/fenced|producer epoch/i.test(e.message)) return true;
  }
  return false;
}
