// The single-writer mechanism the processor relies on, proven on this broker with kafkajs:
// read_committed hides aborted transactions, and a second producer with the same transactional id
// fences the first.
import type { Consumer, Producer } from 'kafkajs';
import { connectFencedProducer, ensureTopics, isFencingError } from '../../../src/kafka';
import { testConfig, testKafka, uniqueName } from '../../support/infra';

const config = testConfig();
const kafka = testKafka(config);
const topic = uniqueName('txn');
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await ensureTopics(kafka, [{ name: topic, partitions: 1, cleanupPolicy: 'delete', configs: {} }], 1);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function transactionalProducer(transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  closers.push(() => producer.disconnect());
  return producer;
}

/** Reads the topic read_committed until `lastValue` arrives; returns every value seen. */
async function readCommittedUntil(lastValue: string): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('txn-reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw only ${JSON.stringify(seen)}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        if (message.value?.toString() === lastValue) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

test('a committed transaction is visible to read_committed readers, an aborted one is not', async () => {
  const producer = await transactionalProducer(uniqueName('tx'));

  const aborted = await producer.transaction();
  await aborted.send({
    topic,
    messages: [
      { key: 'k', value: 'aborted-1' },
      { key: 'k', value: 'aborted-2' },
    ],
  });
  await aborted.abort();

  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ key: 'k', value: 'committed-1' }] });
  await committed.commit();

  // A marker committed after both: once it is read, everything before it has been decided.
  const marker = await producer.transaction();
  await marker.send({ topic, messages: [{ key: 'k', value: 'marker' }] });
  await marker.commit();

  expect(await readCommittedUntil('marker')).toEqual(['committed-1', 'marker']);
});

test('kafkajs: connect() alone does not fence, a transactional producer must begin a transaction', async () => {
  // Documents the kafkajs behaviour that connectFencedProducer works around (see its comment).
  const transactionalId = uniqueName('lazy');
  const first = await transactionalProducer(transactionalId);
  const open = await first.transaction();
  await open.send({ topic, messages: [{ key: 'l', value: 'lazy-first' }] });
  await transactionalProducer(transactionalId); // connected, but not yet initialised for transactions
  await expect(open.commit()).resolves.toBeUndefined();
});

test('a second producer with the same transactional id fences the first', async () => {
  const transactionalId = uniqueName('fenced');
  const zombie = await transactionalProducer(transactionalId);
  const open = await zombie.transaction();
  await open.send({ topic, messages: [{ key: 'z', value: 'zombie-before-takeover' }] });

  // The new owner's initialisation bumps the epoch and aborts the zombie's open transaction.
  const owner = await connectFencedProducer(kafka, { transactionalId });
  closers.push(() => owner.disconnect());

  const failure = await open.commit().then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).not.toBeNull();
  expect(isFencingError(failure)).toBe(true);

  const next = await owner.transaction();
  await next.send({ topic, messages: [{ key: 'z', value: 'owner-after-takeover' }] });
  await next.commit();
  const seen = await readCommittedUntil('owner-after-takeover');
  expect(seen).not.toContain('zombie-before-takeover');
});
