// Rebalances that do not stop the world: with cooperative-sticky assignment a member joining moves only
// the partitions that change owner, and with static membership a restart within the session timeout moves
// nothing. Real processor processes; the task logs say which partitions were (re)started where.
import type { CapacityClient } from '../../src/client';
import { runLoad } from '../support/load';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
let client: CapacityClient;
const started: ServiceProcess[] = [];

beforeEach(async () => {
  env = await serviceEnv();
  client = await env.client();
});

afterEach(async () => {
  await client.close();
  await env.killAll();
  for (const p of started.splice(0)) if (p.exitCode === undefined) await p.kill();
});

/** Partitions in the order the process logged them as ready (a partition twice = restored twice). */
function readyPartitions(p: ServiceProcess, fromLine = 0): number[] {
  return p
    .log()
    .split('\n')
    .slice(fromLine)
    .filter((line) => line.includes('"msg":"task ready"'))
    .map((line) => (JSON.parse(line) as { partition: number }).partition);
}

const revocations = (p: ServiceProcess, fromLine = 0) =>
  p
    .log()
    .split('\n')
    .slice(fromLine)
    .filter((l) => l.includes('"msg":"partitions revoked"'));
const logLines = (p: ServiceProcess) => p.log().split('\n').length - 1;

async function start(name: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const p = await ServiceProcess.start('processor', name, env.processorEnv(name, extra));
  started.push(p);
  return p;
}

test('a member joining under load moves only the partitions that change owner; the others keep their tasks', async () => {
  const a = await start('coop-a');
  const b = await start('coop-b');
  await b.waitUntil((tasks) => tasks.length === 3 && tasks.every((t) => t.state === 'ready'), '3+3');
  await a.waitUntil((tasks) => tasks.length === 3 && tasks.every((t) => t.state === 'ready'), '3+3');
  const before = new Map([
    [a, (await a.waitReady()).map((t) => t.partition)],
    [b, (await b.waitReady()).map((t) => t.partition)],
  ]);
  const since = new Map([
    [a, logLines(a)],
    [b, logLines(b)],
  ]);
  let c: ServiceProcess | null = null;
  const report = await runLoad(client, {
    poolPrefix: 'coop',
    pools: 120,
    capacity: 20,
    commands: 1500,
    inFlight: 40,
    at: { 500: async () => void (c = await start('coop-c')) },
  });
  expect(report.failures).toEqual([]);
  const joined = c as unknown as ServiceProcess;
  await joined.waitUntil((tasks) => tasks.length === 2 && tasks.every((t) => t.state === 'ready'), '2+2+2');
  for (const [p, owned] of before) {
    const now = (await p.waitReady()).map((t) => t.partition);
    expect(now).toHaveLength(2);
    // Everything it still owns it owned before, and each of those tasks became ready exactly once.
    for (const partition of now) expect(owned).toContain(partition);
    const ready = readyPartitions(p);
    for (const partition of now) expect(ready.filter((r) => r === partition)).toHaveLength(1);
    // Since the 3+3 split, only the partition it gave away was revoked.
    const revoked = revocations(p, since.get(p)).flatMap(
      (l) => (JSON.parse(l) as { partitions: number[] }).partitions,
    );
    expect(revoked).toEqual(owned.filter((partition) => !now.includes(partition)));
  }
  const check = await env.check();
  expect(check.violations).toEqual([]);
  expect(check.results).toBe(check.commands);
});

test('static membership: a processor killed and restarted within the session timeout gets its partitions back; the other member never rebalances', async () => {
  const a = await start('static-a', {
    CAPACITY_INSTANCE_ID: 'static-a',
    CAPACITY_SESSION_TIMEOUT_MS: '15000',
  });
  const b = await start('static-b', {
    CAPACITY_INSTANCE_ID: 'static-b',
    CAPACITY_SESSION_TIMEOUT_MS: '15000',
  });
  await b.waitUntil((tasks) => tasks.length === 3 && tasks.every((t) => t.state === 'ready'), '3+3');
  const owned = (await a.waitUntil((tasks) => tasks.length === 3, '3+3')).map((t) => t.partition).sort();
  const bLogBefore = b.log().split('\n').length;

  await a.kill();
  const again = await start('static-a', {
    CAPACITY_INSTANCE_ID: 'static-a',
    CAPACITY_SESSION_TIMEOUT_MS: '15000',
  });
  const back = (
    await again.waitUntil(
      (tasks) => tasks.length === 3 && tasks.every((t) => t.state === 'ready'),
      'its 3 back',
    )
  )
    .map((t) => t.partition)
    .sort();
  expect(back).toEqual(owned);
  const bSince = b
    .log()
    .split('\n')
    .slice(bLogBefore - 1)
    .join('\n');
  expect(bSince).not.toMatch(/"msg":"partitions (revoked|assigned)"/);

  const report = await runLoad(client, {
    poolPrefix: 'static',
    pools: 60,
    capacity: 20,
    commands: 300,
    inFlight: 20,
  });
  expect(report.failures).toEqual([]);
  expect((await env.check()).violations).toEqual([]);
});
