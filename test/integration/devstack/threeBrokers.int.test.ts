// A three-broker stack as the chaos soak uses it: `stack up` with three brokers, a topic created by the
// service's own topic code with replication factor 3 (3 replicas, min.insync.replicas=2), one broker killed
// with SIGKILL while an acks=all produce still succeeds on the other two, the broker started again with
// startBroker, all three healthy in the status, and `down` leaving no process behind.
// Its own stack (brokers only) in a scratch folder on free ports; the shared stack is not touched.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../../../src/config';
import { topicSpecs } from '../../../src/contracts';
import { stackBrokers, stackDown, stackStatus, stackUp, startBroker } from '../../../src/devstack';
import { createKafka, describeTopic, ensureTopicsOrThrow, type Kafka } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { freePort, scratchDir } from '../../support/serviceProcess';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../../bin/capacity.js');
const stackDir = scratchDir('three-brokers');
const sharedStack = resolve(loadConfig().stackDir);
let env: Record<string, string>;
let config: Config;
let kafka: Kafka;
const lines: string[] = [];
const say = (line: string) => void lines.push(line);

const canListen = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/** Three consecutive free ports (controller i is on the base port + i - 1). */
async function freeRun(taken: ReadonlySet<number>): Promise<number> {
  for (;;) {
    const base = await freePort();
    const run = [base, base + 1, base + 2];
    if (run.some((p) => taken.has(p))) continue;
    if ((await canListen(base + 1)) && (await canListen(base + 2))) return base;
  }
}

/**
 * Leader, replicas and in-sync replicas of each partition of `topic`. Retried: the broker this admin asks
 * may learn of a new topic a moment after the one that created it.
 */
async function partitionsOf(topic: string): Promise<{ leader: number; replicas: number; isr: number }[]> {
  const admin = kafka.kafkaJS.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
        return metadata!.partitions
          .sort((a, b) => a.partitionId - b.partitionId)
          .map((p) => ({ leader: p.leader, replicas: p.replicas.length, isr: p.isr.length }));
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Every process whose command line names this test's stack folder (the brokers and nothing else). */
function processesOfStack(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stackDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  // Reuse the Kafka jars the shared stack downloaded (a missing folder means this run downloads them).
  if (existsSync(join(sharedStack, 'kafka')))
    symlinkSync(join(sharedStack, 'kafka'), join(stackDir, 'kafka'));
  mkdirSync(join(stackDir, 'run'), { recursive: true });
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [b1, b2, b3, registry, postgres] = [...ports];
  const controllers = await freeRun(ports);
  env = {
    CAPACITY_STACK_DIR: stackDir,
    // Three entries: broker i listens on the i-th.
    CAPACITY_BROKERS: `127.0.0.1:${b1},127.0.0.1:${b2},127.0.0.1:${b3}`,
    CAPACITY_STACK_CONTROLLER_PORT: String(controllers),
    // Not started (kafka only), but the stack's own ports must not be the shared stack's.
    CAPACITY_REGISTRY_URL: `http://127.0.0.1:${registry}/apis/ccompat/v7`,
    CAPACITY_STACK_POSTGRES_PORT: String(postgres),
    CAPACITY_TOPIC_PREFIX: uniqueName('rf3'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_REPLICATION_FACTOR: '3',
    CAPACITY_LOG_LEVEL: 'error',
    CAPACITY_SASL_MECHANISM: '',
    CAPACITY_SASL_USERNAME: '',
    CAPACITY_SASL_PASSWORD: '',
  };
  config = loadConfig({ ...process.env, ...env });
  kafka = createKafka(config, { clientId: uniqueName('rf3'), logger: createLogger('error') });
});

afterAll(async () => {
  await stackDown(config).catch(() => undefined);
  rmSync(stackDir, { recursive: true, force: true });
});

test('three brokers: RF 3 topics, a produce with one broker killed, the broker back, down', async () => {
  const up = await stackUp(config, say, { brokers: 3, kafkaOnly: true });
  expect(up.started).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
  expect(lines).toContain(`  CAPACITY_BROKERS=${env.CAPACITY_BROKERS}`);
  expect(lines).toContain('  CAPACITY_REPLICATION_FACTOR=3');
  const brokers = stackBrokers(config);
  expect(brokers.map((b) => [b.nodeId, b.name, b.address])).toEqual(
    env.CAPACITY_BROKERS!.split(',').map((address, i) => [i + 1, `kafka-${i + 1}`, address]),
  );
  expect(brokers.every((b) => typeof b.pid === 'number')).toBe(true);
  // Idempotent: nothing is started again.
  expect((await stackUp(config, say, { kafkaOnly: true })).started).toEqual([]);

  // The service's own topic code, with the replication factor the stack's clients are told to use.
  const specs = topicSpecs(config.topicPrefix, config.partitions, config.replicationFactor);
  const events = specs.find((s) => s.name.endsWith('.events'))!;
  await ensureTopicsOrThrow(kafka, [events], config.replicationFactor);
  const partitions = await partitionsOf(events.name);
  expect(partitions.map((p) => p.replicas)).toEqual([3, 3, 3]);
  expect((await describeTopic(kafka, events.name)).configs['min.insync.replicas']).toBe('2');

  // kill -9 the leader of partition 0; every partition, that one too once it has a new leader, still takes
  // acks=all writes with min.insync.replicas=2 on the two brokers left.
  const victim = brokers.find((b) => b.nodeId === partitions[0]!.leader)!;
  process.kill(victim.pid!, 'SIGKILL');
  const producer = kafka.kafkaJS.producer({ kafkaJS: { acks: -1, idempotent: true } });
  await producer.connect();
  try {
    const sent = await producer.send({
      topic: events.name,
      messages: [0, 1, 2].map((partition) => ({ partition, key: `k${partition}`, value: 'with 2 of 3' })),
    });
    expect(sent.map((r) => r.errorCode)).toEqual([0, 0, 0]);
  } finally {
    await producer.disconnect();
  }
  expect(stackBrokers(config).find((b) => b.nodeId === victim.nodeId)?.pid).toBeNull();

  const back = await startBroker(config, victim.nodeId, say);
  expect(back.pid).not.toBe(victim.pid);
  expect(typeof back.pid).toBe('number');
  // Back in every ISR once it has caught up (what a chaos test waits for before the next kill).
  const deadline = Date.now() + 30_000;
  while ((await partitionsOf(events.name)).some((p) => p.isr < 3) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect((await partitionsOf(events.name)).map((p) => p.isr)).toEqual([3, 3, 3]);
  const status = await stackStatus(config);
  expect(
    status.components.filter((c) => c.name.startsWith('kafka')).map((c) => [c.name, c.address, c.healthy]),
  ).toEqual(brokers.map((b) => [b.name, b.address, true]));
  // As a user sees it: one line per broker, with its pid.
  const cliStatus = await run('node', [cli, 'stack', 'status'], { env: { ...process.env, ...env } }).catch(
    (e: { stdout: string }) => e,
  );
  for (const b of stackBrokers(config)) {
    expect(cliStatus.stdout).toMatch(new RegExp(`${b.name}\\s+up\\s+${b.address}\\s+pid ${b.pid}`));
  }

  const pids = stackBrokers(config).map((b) => b.pid);
  await stackDown(config, say);
  for (const b of brokers) {
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(`^${b.name}: (stopped|killed)$`)]));
  }
  expect(stackBrokers(config).map((b) => b.pid)).toEqual([null, null, null]);
  expect(
    pids.filter((pid) => existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`).length > 0),
  ).toEqual([]);
  expect(processesOfStack()).toEqual([]);
});
