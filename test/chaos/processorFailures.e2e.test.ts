// Crashes, pauses and rebalances of real processor processes under a stream of commands; afterwards the
// invariant checker must pass and every command must have exactly one result.
import { hostname } from 'node:os';
import type { CapacityClient } from '../../src/client';
import { topicNames } from '../../src/contracts';
import { createKafka, readToEnd } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { runLoad } from '../support/load';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
let client: CapacityClient;
const started: ServiceProcess[] = [];

const processor = (instance: string) => env.startProcessor(instance);

beforeEach(async () => {
  env = await serviceEnv();
  client = await env.client();
});

afterEach(async () => {
  await client.close();
  await env.killAll();
  for (const p of started.splice(0)) if (p.exitCode === undefined) await p.kill();
});

function expectEveryCommandAnsweredOnce(report: Awaited<ReturnType<typeof runLoad>>): void {
  expect(report.failures).toEqual([]);
  expect(report.results).toHaveLength(report.sent);
  expect(new Set(report.results.map((r) => r.commandId)).size).toBe(report.sent);
}

test('kill -9 of one of two processors mid-stream: nothing lost, nothing applied twice', async () => {
  const a = await processor('a');
  const b = await processor('b');
  await b.waitUntil((tasks) => tasks.length === 3, 'rebalance to 3+3');
  const report = await runLoad(client, {
    poolPrefix: 'kill',
    pools: 200,
    capacity: 20,
    commands: 3000,
    inFlight: 100,
    at: { 1000: () => a.kill() },
  });
  expectEveryCommandAnsweredOnce(report);
  expect(a.exitCode).toBe(-1);
  const check = await env.check();
  expect(check.violations).toEqual([]);
  expect(check.results).toBe(check.commands);
  expect(await b.stop()).toBe(0);
});

test('a paused processor (SIGSTOP past the session timeout) is fenced: none of its writes after takeover is visible', async () => {
  const zombie = await processor('zombie');
  const survivor = await processor('survivor');
  await survivor.waitUntil((tasks) => tasks.length === 3, 'rebalance to 3+3');
  const zombiePartitions = (await zombie.waitReady()).map((t) => t.partition);

  let resumed: Promise<void> = Promise.resolve();
  const report = await runLoad(client, {
    poolPrefix: 'zombie',
    pools: 100,
    capacity: 20,
    commands: 1500,
    inFlight: 50,
    at: {
      400: () => {
        zombie.signal('SIGSTOP');
        resumed = survivor
          .waitUntil(
            (tasks) => tasks.length === 6 && tasks.every((t) => t.state === 'ready'),
            'takeover of all partitions',
          )
          .then(() => undefined);
      },
    },
  });
  await resumed;
  expectEveryCommandAnsweredOnce(report);

  // Wake the zombie only after the load: from here on no command needs it, so any record it wrote after
  // the survivor's first write on one of its old partitions would be a zombie write.
  zombie.signal('SIGCONT');
  await zombie.waitUntil(() => true, 'zombie answering again');
  await new Promise((r) => setTimeout(r, 8000));
  expect(await zombie.stop()).toBe(0);
  expect(await survivor.stop()).toBe(0);

  const topics = topicNames(env.config.topicPrefix);
  const kafka = createKafka(env.config, { clientId: 'zombie-audit', logger: createLogger('error') });
  const zombieWriter = `${hostname()}/${zombie.pid}`;
  const survivorWriter = `${hostname()}/${survivor.pid}`;
  for (const topic of [topics.events, topics.poolState, topics.reservations, topics.commandResults]) {
    const writers = new Map<number, string[]>();
    await readToEnd(
      kafka,
      'zombie-audit',
      zombiePartitions.map((partition) => ({ topic, partition, fromOffset: null })),
      async (records) => {
        for (const r of records)
          writers.set(r.partition, [
            ...(writers.get(r.partition) ?? []),
            r.headers['capacity-writer'] ?? '?',
          ]);
      },
    );
    for (const partition of zombiePartitions) {
      const sequence = writers.get(partition) ?? [];
      const takeover = sequence.indexOf(survivorWriter);
      expect(takeover).toBeGreaterThanOrEqual(0);
      expect(sequence.slice(takeover).filter((w) => w === zombieWriter)).toEqual([]);
    }
  }
  const check = await env.check();
  expect(check.violations).toEqual([]);
});

test('scale out and in under load (2 -> 3 -> 2): invariants hold', async () => {
  const a = await processor('scale-a');
  const b = await processor('scale-b');
  let c: ServiceProcess | null = null;
  const report = await runLoad(client, {
    poolPrefix: 'scale',
    pools: 150,
    capacity: 20,
    commands: 3000,
    inFlight: 60,
    at: {
      800: async () => {
        c = await ServiceProcess.start('processor', 'scale-c', env.processorEnv('scale-c'));
        started.push(c);
      },
      1800: async () => {
        expect(await a.stop()).toBe(0);
      },
    },
  });
  expectEveryCommandAnsweredOnce(report);
  // The group settles on b and c owning all six partitions (a cooperative rebalance may still be in its
  // second round, a partition revoked from one member and not yet assigned to the other, when the load ends).
  const tasksOf = async (p: ServiceProcess) => (await p.health())?.body.tasks.length ?? 0;
  const owned = async () => (await tasksOf(b)) + (await tasksOf(c as unknown as ServiceProcess));
  for (let i = 0; i < 100 && (await owned()) !== 6; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await owned()).toBe(6);
  const check = await env.check();
  expect(check.violations).toEqual([]);
  expect(check.results).toBe(check.commands);
  expect(await b.stop()).toBe(0);
  expect(await (c as unknown as ServiceProcess).stop()).toBe(0);
});
