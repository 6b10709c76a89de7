// The processor as users run it (`capacity processor`), against the real broker and registry.
import { rmSync } from 'node:fs';
import type { CapacityClient } from '../../src/client';
import { createKafka } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { COMMAND_ID_HEADER, createSerdes, topicNames } from '../../src/contracts';
import { partitionForKey, readToEnd } from '../../src/kafka';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

const slot = { slotStart: Date.UTC(2030, 11, 1, 8), slotEnd: Date.UTC(2030, 11, 1, 10) };
let env: ServiceEnv;
let client: CapacityClient;
const started: ServiceProcess[] = [];

const processor = (instance: string) => env.startProcessor(instance);

beforeAll(async () => {
  env = await serviceEnv();
  client = await env.client();
});

afterAll(async () => {
  await client?.close();
  await env?.killAll();
  for (const p of started) if (p.exitCode === undefined) await p.kill();
});

test('race for the last units: exactly capacity accepted, then releases make room again', async () => {
  const p = await processor('race');
  await client.submit({ type: 'DefinePool', poolId: 'race-1', zone: 'north', ...slot, capacity: 10 });
  const results = await Promise.all(Array.from({ length: 25 }, () => client.reserve('race-1', 1)));
  const accepted = results.filter((r) => r.status === 'accepted');
  expect(accepted).toHaveLength(10);
  expect(results.filter((r) => r.reasonCode === 'INSUFFICIENT_CAPACITY')).toHaveLength(15);
  expect(new Set(accepted.map((r) => r.reservationId)).size).toBe(10);

  const released = await Promise.all(
    accepted.slice(0, 3).map((r) => client.release(r.reservationId as string)),
  );
  expect(released.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
  const again = await Promise.all(Array.from({ length: 5 }, () => client.reserve('race-1', 1)));
  expect(again.filter((r) => r.status === 'accepted')).toHaveLength(3);
  expect(await p.stop()).toBe(0);
  expect((await env.check()).violations).toEqual([]);
});

test('restart with the state kept restores from the checkpoint; with it deleted, from the changelogs', async () => {
  let p = await processor('restart');
  await client.submit({ type: 'DefinePool', poolId: 'restart-1', zone: 'south', ...slot, capacity: 5 });
  const first = await client.reserve('restart-1', 2, { requestId: 'order-1' });
  expect(first.status).toBe('accepted');
  expect(await p.stop()).toBe(0);
  expect(p.log()).toMatch(/"reason":"shutdown".*"task closed"|"task closed".*"reason":"shutdown"/);

  p = await processor('restart');
  expect(p.log()).toMatch(/"records":0,"fromCheckpoint":true/);
  // The restored state knows the reservation: a retry is idempotent and capacity is still taken.
  const retry = await client.reserve('restart-1', 2, { requestId: 'order-1' });
  expect(retry.reservationId).toBe(first.reservationId);
  expect((await client.reserve('restart-1', 4)).reasonCode).toBe('INSUFFICIENT_CAPACITY');
  expect(await p.stop()).toBe(0);

  rmSync(env.processorEnv('restart').CAPACITY_STATE_DIR as string, { recursive: true, force: true });
  p = await processor('restart');
  expect(p.log()).toMatch(/"records":[1-9]\d*,"fromCheckpoint":false/);
  expect((await client.release(first.reservationId as string)).status).toBe('accepted');
  expect((await client.reserve('restart-1', 5)).status).toBe('accepted');
  expect((await client.reserve('restart-1', 1)).reasonCode).toBe('INSUFFICIENT_CAPACITY');
  expect(await p.stop()).toBe(0);
  const report = await env.check();
  expect(report.violations).toEqual([]);
});

test('poison: garbage bytes and invalid values become dead letters and rejections; later commands flow', async () => {
  const p = await processor('poison');
  const config = env.config;
  const topics = topicNames(config.topicPrefix);
  const kafka = createKafka(config, { clientId: 'poison-test', logger: createLogger('error') });
  const producer = kafka.kafkaJS.producer({ kafkaJS: {} });
  await producer.connect();
  await producer.send({
    topic: topics.commands,
    messages: [
      {
        key: 'poison-1',
        value: Buffer.from('definitely not avro'),
        headers: { [COMMAND_ID_HEADER]: 'garbage-1' },
      },
    ],
  });
  await producer.disconnect();
  const invalid = await client.submit({ type: 'ReserveCapacity', poolId: 'poison-1', units: -3 });
  expect(invalid).toMatchObject({ status: 'rejected', reasonCode: 'INVALID_COMMAND' });
  expect(invalid.message).toMatch(/command\.units/);

  await client.submit({ type: 'DefinePool', poolId: 'poison-1', zone: 'east', ...slot, capacity: 3 });
  expect((await client.reserve('poison-1', 2)).status).toBe('accepted');

  const serdes = createSerdes({ url: config.registryUrl }, topics);
  const dead = new Map<string, Record<string, string>>();
  const results = new Map<string, string | null>();
  await readToEnd(
    kafka,
    'poison-reader',
    Array.from({ length: config.partitions }, (_, partition) => ({
      topic: topics.deadLetters,
      partition,
      fromOffset: null,
    })),
    async (records) => {
      for (const r of records) dead.set(r.headers['capacity-error-code'] ?? '', r.headers);
    },
  );
  await readToEnd(
    kafka,
    'poison-reader',
    Array.from({ length: config.partitions }, (_, partition) => ({
      topic: topics.commandResults,
      partition,
      fromOffset: null,
    })),
    async (records) => {
      for (const r of records) {
        const result = await serdes.result.decode(r.value);
        results.set(result.commandId, result.reasonCode);
      }
    },
  );
  expect(dead.get('UNDECODABLE')?.['capacity-error-reason']).toMatch(/magic byte/);
  expect(dead.get('INVALID_COMMAND')?.['capacity-error-reason']).toMatch(/command\.units/);
  expect(results.get('garbage-1')).toBe('UNDECODABLE');
  expect(await p.stop()).toBe(0);
});

test('a command record written twice (one command id) is decided once: the copy is dropped', async () => {
  // librdkafka's idempotent producer can write a batch twice when it bumps its epoch (the chaos soak saw
  // it around broker kills). Deciding the copy again answered one command twice, and differently here: the
  // original is refused (pool full), the copy would be accepted after a release.
  const p = await processor('copies');
  const topics = topicNames(env.config.topicPrefix);
  const kafka = createKafka(env.config, { clientId: 'copies-test', logger: createLogger('error') });
  const serdes = createSerdes({ url: env.config.registryUrl }, topics);
  await serdes.command.register();
  await client.submit({ type: 'DefinePool', poolId: 'copies-1', zone: 'west', ...slot, capacity: 1 });
  const held = await client.reserve('copies-1', 1);
  expect(held.status).toBe('accepted');

  const producer = kafka.kafkaJS.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  const commandId = `copy-${Date.now()}`;
  const value = serdes.command.encode({
    commandId,
    requestId: commandId,
    issuedAt: Date.now(),
    expectedVersion: null,
    command: { type: 'ReserveCapacity', poolId: 'copies-1', units: 1 },
  });
  // A new message object per send: the client converts the headers of the one it is given in place.
  const record = () => ({
    key: 'copies-1',
    partition: partitionForKey('copies-1', env.config.partitions),
    headers: { [COMMAND_ID_HEADER]: commandId },
    value,
  });
  const resultsOf = async (): Promise<string[]> => {
    const statuses: string[] = [];
    await readToEnd(
      kafka,
      'copies-reader',
      Array.from({ length: env.config.partitions }, (_, partition) => ({
        topic: topics.commandResults,
        partition,
        fromOffset: null,
      })),
      async (records) => {
        for (const r of records) {
          const result = await serdes.result.decode(r.value);
          if (result.commandId === commandId)
            statuses.push(`${result.status} ${result.reasonCode ?? ''}`.trim());
        }
      },
    );
    return statuses;
  };
  await producer.send({ topic: topics.commands, messages: [record()] });
  const deadline = Date.now() + 20_000;
  while ((await resultsOf()).length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  expect(await resultsOf()).toEqual(['rejected INSUFFICIENT_CAPACITY']);

  expect((await client.release(held.reservationId as string)).status).toBe('accepted');
  await producer.send({ topic: topics.commands, messages: [record()] });
  await producer.disconnect();
  // Behind the copy on the same partition: had the copy been decided, it would hold the only unit.
  expect((await client.reserve('copies-1', 1)).status).toBe('accepted');
  expect(await resultsOf()).toEqual(['rejected INSUFFICIENT_CAPACITY']);
  expect(await p.stop()).toBe(0);
});

test('a second processor on a locked state directory exits at once saying so', async () => {
  const p = await processor('locked');
  const second = await ServiceProcess.start('processor', 'locked-2', env.processorEnv('locked'));
  started.push(second);
  expect(await second.waitForExit(30_000)).toBe(1);
  expect(second.log()).toMatch(/STATE_DIR_LOCKED: state directory .* is locked by another process/);
  expect(await p.stop()).toBe(0);
});

test('commands from a transactional producer (commit markers between them) are all processed', async () => {
  // A fetch that starts on a commit marker begins above the task's next offset: that is a gap in the
  // log, not a consumer ahead of the task (which would be sought back, forever).
  const p = await processor('gaps');
  const topics = topicNames(env.config.topicPrefix);
  const kafka = createKafka(env.config, { clientId: 'gaps-test', logger: createLogger('error') });
  const serdes = createSerdes({ url: env.config.registryUrl }, topics);
  await serdes.command.register();
  await serdes.result.register();
  const writer = kafka.kafkaJS.producer({
    kafkaJS: { transactionalId: `gaps-${Date.now()}`, idempotent: true },
  });
  await writer.connect();
  const partitionCount = env.config.partitions;
  const resultOf = async (commandId: string): Promise<string | null> => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      let status: string | null = null;
      await readToEnd(
        kafka,
        'gaps-reader',
        Array.from({ length: partitionCount }, (_, partition) => ({
          topic: topics.commandResults,
          partition,
          fromOffset: null,
        })),
        async (records) => {
          for (const r of records) {
            const result = await serdes.result.decode(r.value);
            if (result.commandId === commandId) status = result.status;
          }
        },
      );
      if (status) return status;
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  };
  const send = async (commandId: string, command: Parameters<typeof serdes.command.encode>[0]['command']) => {
    const value = serdes.command.encode({
      commandId,
      requestId: commandId,
      issuedAt: Date.now(),
      expectedVersion: null,
      command,
    });
    const transaction = await writer.transaction();
    await transaction.send({ topic: topics.commands, messages: [{ key: 'gaps-1', value }] });
    await transaction.commit();
  };
  await send('gap-define', { type: 'DefinePool', poolId: 'gaps-1', zone: 'west', ...slot, capacity: 5 });
  expect(await resultOf('gap-define')).toBe('accepted');
  await send('gap-reserve', { type: 'ReserveCapacity', poolId: 'gaps-1', units: 1 });
  expect(await resultOf('gap-reserve')).toBe('accepted');
  await writer.disconnect();
  expect(await p.stop()).toBe(0);
});

test('a partition whose restore is held up is paused, not awaited: the others flow, and health and lag say which', async () => {
  const topics = topicNames(env.config.topicPrefix);
  const kafka = createKafka(env.config, { clientId: 'held-test', logger: createLogger('error') });
  const partitions = env.config.partitions;
  const poolOn = (wanted: (partition: number) => boolean) => {
    for (let i = 0; ; i++) if (wanted(partitionForKey(`held-${i}`, partitions))) return `held-${i}`;
  };
  // An open transaction on partition 0 of the pool-state changelog: restoring partition 0 must wait for it
  // (it might commit), so that task cannot become ready until it ends.
  const holder = kafka.kafkaJS.producer({
    kafkaJS: { transactionalId: `held-${Date.now()}`, idempotent: true, transactionTimeout: 120_000 },
  });
  await holder.connect();
  const open = await holder.transaction();
  await open.send({ topic: topics.poolState, messages: [{ key: 'held-x', value: null, partition: 0 }] });

  const p = await ServiceProcess.start('processor', 'held', env.processorEnv('held'));
  started.push(p);
  await p.waitUntil(
    (tasks) =>
      tasks.length === partitions &&
      tasks.filter((t) => t.state === 'ready').length === partitions - 1 &&
      tasks.find((t) => t.partition === 0)?.state === 'initializing',
    'every task but the held one ready',
  );
  // Pools of the other partitions are served while partition 0 restores.
  const free = poolOn((partition) => partition !== 0);
  expect(
    (await client.submit({ type: 'DefinePool', poolId: free, zone: 'west', ...slot, capacity: 5 })).status,
  ).toBe('accepted');
  expect((await client.reserve(free, 2)).status).toBe('accepted');

  const held = poolOn((partition) => partition === 0);
  let settled = false;
  const waiting = client
    .submit({ type: 'DefinePool', poolId: held, zone: 'west', ...slot, capacity: 5 })
    .finally(() => (settled = true));
  await new Promise((r) => setTimeout(r, 2000));
  expect(settled).toBe(false);
  const health = await p.health();
  expect(health?.body.healthy).toBe(true);
  expect(health?.body.tasks.find((t) => t.partition === 0)?.state).toBe('initializing');
  expect(await p.metrics()).toMatch(/capacity_processor_consumer_lag\{partition="0"\} [1-9]/);

  await open.abort();
  await holder.disconnect();
  expect((await waiting).status).toBe('accepted');
  expect(await p.stop()).toBe(0);
});
