// The exactly-once mechanism the processor relies on, proven on this broker with librdkafka:
// read_committed hides aborted transactions, consumed offsets commit with the transaction (and only with
// it), and a second producer with the same transactional id fences the first.
import { Producer } from '@confluentinc/kafka-javascript';
import {
  ensureTopics,
  fenceTransactionalId,
  GroupDescriber,
  GroupMember,
  readToEnd,
  TransactionalWriter,
  TransactionError,
  type GroupMember as Member,
} from '../../../src/kafka';
import { testConfig, testKafka, uniqueName } from '../../support/infra';

const config = testConfig();
const kafka = testKafka(config);
const topic = uniqueName('txn');
const input = uniqueName('txn-in');
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await ensureTopics(
    kafka,
    [
      { name: topic, partitions: 1, cleanupPolicy: 'delete', configs: {} },
      { name: input, partitions: 1, cleanupPolicy: 'delete', configs: {} },
    ],
    1,
  );
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function writer(transactionalId: string): Promise<TransactionalWriter> {
  const w = await TransactionalWriter.create(kafka, { transactionalId, transactionTimeoutMs: 10_000 });
  closers.push(() => w.close());
  return w;
}

async function member(groupId: string, clientId?: string): Promise<Member> {
  const m = await GroupMember.join(kafka, {
    groupId,
    clientId,
    topic: input,
    sessionTimeoutMs: 6000,
    instanceId: null,
    maxPollIntervalMs: 30_000,
  });
  closers.push(() => m.leave());
  // Wait for the assignment of the input partition (consume drives the group protocol).
  for (let i = 0; i < 200 && m.takeEvents().length === 0; i++) await m.consumer.consume(1, 50);
  return m;
}

async function committedValues(): Promise<string[]> {
  const values: string[] = [];
  await readToEnd(
    kafka,
    uniqueName('txn-reader'),
    [{ topic, partition: 0, fromOffset: null }],
    async (rs) => {
      for (const r of rs) values.push(r.value?.toString() ?? '');
    },
  );
  return values;
}

test('a committed transaction is visible to read_committed readers, an aborted one is not', async () => {
  const producer = kafka.kafkaJS.producer({
    kafkaJS: { transactionalId: uniqueName('tx'), idempotent: true },
  });
  await producer.connect();
  closers.push(() => producer.disconnect());

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

  expect(await committedValues()).toEqual(['committed-1']);
});

test('consumed offsets commit with the transaction, with the group metadata of the consumer (KIP-447)', async () => {
  const groupId = uniqueName('txn-group');
  const m = await member(groupId);
  const w = await writer(uniqueName('eos'));
  const written = await w.commit(
    [{ topic, partition: 0, key: 'o', value: Buffer.from('with-offsets') }],
    [{ topic: input, partition: 0, nextOffset: 42 }],
    m.consumer,
  );
  expect(written.get(`${topic}:0`)).toBeGreaterThan(0);
  const [committed] = await m.consumer.committed([{ topic: input, partition: 0 }], 10_000);
  expect(committed?.offset).toBe(42);
  expect(await committedValues()).toContain('with-offsets');
});

test('a second producer with the same transactional id fences the first; the first learns its outcome is unknown', async () => {
  const transactionalId = uniqueName('fenced');
  const m = await member(uniqueName('fence-group'));
  const zombie = await writer(transactionalId);
  await zombie.commit(
    [{ topic, partition: 0, key: 'z', value: Buffer.from('zombie-before') }],
    [],
    m.consumer,
  );
  await writer(transactionalId); // the new owner's initialisation bumps the epoch

  const failure = await zombie
    .commit([{ topic, partition: 0, key: 'z', value: Buffer.from('zombie-after') }], [], m.consumer)
    .then(
      () => null,
      (error: unknown) => error,
    );
  expect(failure).toBeInstanceOf(TransactionError);
  expect((failure as TransactionError).outcome).toBe('unknown');
  const values = await committedValues();
  expect(values).toContain('zombie-before');
  expect(values).not.toContain('zombie-after');
});

test('fencing a transactional id aborts the transaction its crashed holder left open, at once', async () => {
  const transactionalId = uniqueName('crashed');
  // The crashed holder: a transaction left open with a timeout far beyond this test's own.
  const holder = kafka.kafkaJS.producer({
    'transaction.timeout.ms': 600_000,
    kafkaJS: { transactionalId, idempotent: true },
  });
  await holder.connect();
  closers.push(() => holder.disconnect().catch(() => undefined));
  const open = await holder.transaction();
  await open.send({ topic, messages: [{ key: 'c', value: 'left-open' }] });

  // A read_committed reader up to the high watermark waits for the open transaction...
  let read: string[] | null = null;
  const reading = committedValues().then((values) => (read = values));
  await new Promise((r) => setTimeout(r, 1500));
  expect(read).toBeNull();
  // ...until the id is fenced: the coordinator aborts the open transaction.
  await fenceTransactionalId(kafka, transactionalId, 10_000);
  await reading;
  expect(read).not.toBeNull();
  expect(read).not.toContain('left-open');
  await expect(open.commit()).rejects.toThrow();
});

test('a group member is described with its client id and assigned partitions', async () => {
  const groupId = uniqueName('described');
  const clientId = uniqueName('txn-id');
  await member(groupId, clientId);
  const describer = await GroupDescriber.connect(kafka);
  closers.push(() => describer.close());
  const members = await describer.members(groupId, input);
  expect(members).toHaveLength(1);
  expect(members[0]?.clientId).toBe(clientId);
  expect(members[0]?.partitions).toEqual([0]);
});

test('the describing process dying mid-call fails that call only; the next call starts another one', async () => {
  // DescribeGroups runs in a process of its own because the native binding can crash on it (SIGSEGV when
  // the coordinator is unreachable, found by the chaos soak); here the process dies while a call waits.
  const groupId = uniqueName('described-crash');
  const clientId = uniqueName('txn-id');
  await member(groupId, clientId);
  const describer = await GroupDescriber.connect(kafka);
  closers.push(() => describer.close());
  expect(await describer.members(groupId, input)).toHaveLength(1);
  const first = describer.pid as number;
  process.kill(first, 'SIGSTOP');
  const waiting = describer.members(groupId, input);
  process.kill(first, 'SIGKILL');
  await expect(waiting).rejects.toThrow('the group describing process exited (SIGKILL)');
  const members = await describer.members(groupId, input);
  expect(members.map((m) => m.clientId)).toEqual([clientId]);
  expect(describer.pid).not.toBe(first);
});

test('resuming a partition at "no position yet" fetches it again from its start (an aborted first cycle)', async () => {
  const topicName = uniqueName('resume');
  await ensureTopics(kafka, [{ name: topicName, partitions: 1, cleanupPolicy: 'delete', configs: {} }], 1);
  const producer = kafka.kafkaJS.producer();
  await producer.connect();
  closers.push(() => producer.disconnect());
  await producer.send({ topic: topicName, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
  const m = await GroupMember.join(kafka, {
    groupId: uniqueName('resume-group'),
    topic: topicName,
    sessionTimeoutMs: 6000,
    instanceId: null,
    maxPollIntervalMs: 30_000,
  });
  closers.push(() => m.leave());
  const read = async (n: number) => {
    const values: string[] = [];
    for (let i = 0; i < 200 && values.length < n; i++) {
      m.takeEvents();
      values.push(...(await m.consumer.consume(10, 50)).map((msg) => msg.value?.toString() ?? ''));
    }
    return values;
  };
  for (let i = 0; i < 200 && m.takeEvents().length === 0; i++) await m.consumer.consume(1, 50);
  await m.resumeAt(0, null);
  expect(await read(3)).toEqual(['a', 'b', 'c']);
  // The cycle that took them aborted: the task, which has processed nothing, resumes "from the start".
  await m.resumeAt(0, null);
  expect(await read(3)).toEqual(['a', 'b', 'c']);
});

test('an assigned partition can be positioned at once, even while a transaction holds the group offset for it', async () => {
  // A crashed owner's transaction carries the group's offset for the partition and is still open. The
  // group's committed offset cannot be read until it ends (require_stable); the new owner's task waits for
  // that itself, but seeking the partition must not depend on it: before the fix, librdkafka kept the
  // partition unstarted while its own offset lookup waited, and every seek failed with "Erroneous state".
  const groupId = uniqueName('held-offset');
  const first = await member(groupId);
  const holder = new Producer({
    ...kafka.rdkafka,
    'transactional.id': uniqueName('holder'),
    'transaction.timeout.ms': 600_000,
  });
  await new Promise<void>((resolve, reject) => holder.connect({}, (err) => (err ? reject(err) : resolve())));
  const call = (f: (cb: (err: unknown) => void) => void) =>
    new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));
  await call((cb) => holder.initTransactions(10_000, cb));
  await call((cb) => holder.beginTransaction(cb));
  await call((cb) =>
    holder.sendOffsetsToTransaction(
      [{ topic: input, partition: 0, offset: 0 }],
      first.consumer.client,
      10_000,
      cb,
    ),
  );
  closers.push(async () => {
    await call((cb) => holder.abortTransaction(10_000, cb)).catch(() => undefined);
    await new Promise<void>((resolve) => holder.disconnect(() => resolve()));
  });
  await first.leave();

  const second = await member(groupId);
  await expect(second.resumeAt(0, 0)).resolves.toBeUndefined();
});
