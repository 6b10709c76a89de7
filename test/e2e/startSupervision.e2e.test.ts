// `capacity start` supervises its children, tested against real processes on the shared stack: a
// processor killed with SIGKILL is restarted (new pid, healthy again) while the broker and the gateway
// keep serving; a child whose port is taken says which port and which setting moves it, is retried with
// backoff, and does not stop the others; SIGTERM to `capacity start` stops every child and exits 0.
import { createServer, type Server } from 'node:net';
import { loadConfig } from '../../src/config';
import { brokerAnswers, createKafka, listTopics } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { alive, CapacityStart, processInfo, startEnv } from '../support/capacityStart';
import { serviceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

jest.setTimeout(300_000);

const running: CapacityStart[] = [];
afterEach(async () => {
  for (const start of running.splice(0)) if (start.exitCode === undefined) await start.stop();
});

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function brokerServes(env: Record<string, string>): Promise<string[]> {
  const config = loadConfig({ ...process.env, ...env });
  expect(await brokerAnswers(config.brokers[0] as string, 5000)).toBe(true);
  return listTopics(createKafka(config, { clientId: 'test-supervision', logger: createLogger('error') }));
}

async function reserve(base: string, poolId: string, key?: string): Promise<number> {
  const response = await fetch(`${base}/v1/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ poolId, units: 1 }),
  });
  return response.status;
}

test('a processor killed with SIGKILL comes back; the broker and the gateway keep serving; SIGTERM stops all', async () => {
  const env = await startEnv();
  const start = CapacityStart.run(env);
  running.push(start);
  await start.waitForLine(/^Capacity service is up/, 240_000);
  const pidOf = async (name: string, after = 0) =>
    Number((await start.waitForLine(new RegExp(`^${name}: healthy \\(pid (\\d+)`), 120_000, after))[1]);
  const pids = {
    p1: await pidOf('processor-1'),
    p2: await pidOf('processor-2'),
    gateway: await pidOf('gateway'),
    connector: await pidOf('connector'),
  };
  // The pid is the node process itself, a direct child of `capacity start` (no wrapper to signal).
  expect(processInfo(pids.p1)).toMatchObject({
    ppid: start.pid,
    cmdline: expect.stringMatching(/capacity\.js processor$/),
  });

  // Access control is on with nothing configured: start made a planner and an orders key and printed them.
  const printed = async (role: string) =>
    (await start.waitForLine(new RegExp(`^  ${role} +local-${role} +(cap_\\S+)$`), 5_000))[1] as string;
  const plannerKey = await printed('planner');
  const ordersKey = await printed('orders');

  const base = `http://127.0.0.1:${env.CAPACITY_HTTP_PORT}`;
  const poolId = 'north-2030010108';
  const defined = await fetch(`${base}/v1/pools/${poolId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': plannerKey },
    body: JSON.stringify({
      zone: 'north',
      slotStart: '2030-01-01T08:00:00Z',
      slotEnd: '2030-01-01T10:00:00Z',
      capacity: 100,
    }),
  });
  expect(defined.status).toBe(201);
  expect(await reserve(base, poolId)).toBe(401);
  expect(await reserve(base, poolId, plannerKey)).toBe(403);
  expect(await reserve(base, poolId, ordersKey)).toBe(201);

  const before = start.lines.length;
  process.kill(pids.p1, 'SIGKILL');
  await start.waitForLine(
    new RegExp(
      `^processor-1 \\(pid ${pids.p1}\\) stopped unexpectedly \\(killed by SIGKILL, .*restarting in 0\\.5 s \\(restart 1\\)`,
    ),
    30_000,
    before,
  );
  const restarted = await pidOf('processor-1', before);
  expect(restarted).not.toBe(pids.p1);
  expect(processInfo(restarted)?.ppid).toBe(start.pid);
  expect(alive(pids.p1)).toBe(false);
  // Nothing else was touched: same pids, `capacity start` still running, the broker still answers.
  for (const pid of [pids.p2, pids.gateway, pids.connector]) expect(processInfo(pid)?.ppid).toBe(start.pid);
  expect(start.exitCode).toBeUndefined();
  expect(await brokerServes(env)).toContain(`${env.CAPACITY_TOPIC_PREFIX}.commands`);
  expect(await reserve(base, poolId, ordersKey)).toBe(201);

  expect(await start.stop()).toBe(0);
  for (const pid of [restarted, pids.p2, pids.gateway, pids.connector]) expect(alive(pid)).toBe(false);
  expect(start.lines).toContain('all children stopped');
  // It did not start the stack, so it does not stop it (stackDown would print these lines).
  expect(start.output()).not.toMatch(/^(postgres|kafka|registry): /m);
  expect(await brokerServes(env)).toContain(`${env.CAPACITY_TOPIC_PREFIX}.commands`);
});

test('a child whose metrics port is taken is named with the port and setting, retried, and stops nothing else', async () => {
  const env = await startEnv();
  const taken = Number(env.CAPACITY_METRICS_PORT) + 1; // processor-2's
  const squatter = await hold(taken);
  let released = false;
  try {
    const start = CapacityStart.run(env);
    running.push(start);
    await start.waitForLine(
      new RegExp(
        `^warning: port ${taken} on 127\\.0\\.0\\.1 \\(processor-2 metrics, CAPACITY_METRICS_PORT\\+1\\) is already in use; set CAPACITY_METRICS_PORT`,
      ),
      120_000,
    );
    await start.waitForLine(
      /^processor-2 \(pid \d+\) failed during start-up \(exit code 4, .*restarting in/,
      120_000,
    );
    await start.waitForLine(
      new RegExp(
        `\\| capacity: PORT_IN_USE: metrics port ${taken} on 127\\.0\\.0\\.1 is already in use; set CAPACITY_METRICS_PORT`,
      ),
    );
    await start.waitForLine(/^ {2}port \d+ .*capacity start gives processor i CAPACITY_METRICS_PORT\+i-1/);
    for (const name of ['processor-1', 'gateway', 'connector'])
      await start.waitForLine(new RegExp(`^${name}: healthy \\(pid \\d+`), 180_000);
    await start.waitForLine(/^processor-2 \(pid \d+\) failed during start-up .*\(restart 2\)/, 120_000);
    expect(start.exitCode).toBeUndefined();
    expect(start.output()).not.toMatch(/Capacity service is up/);

    await close(squatter);
    released = true;
    await start.waitForLine(/^processor-2: healthy \(pid \d+/, 120_000);
    await start.waitForLine(/^Capacity service is up/, 60_000);
    expect(await start.stop()).toBe(0);
  } finally {
    if (!released) await close(squatter);
  }
});

test('a gateway whose HTTP port is taken exits 4 naming the port and CAPACITY_HTTP_PORT', async () => {
  const env = await serviceEnv();
  const port = Number((await startEnv()).CAPACITY_HTTP_PORT);
  const squatter = await hold(port);
  try {
    const gateway = await ServiceProcess.start('gateway', 'gw-port', {
      ...env.processorEnv('gw-port'),
      CAPACITY_HTTP_PORT: String(port),
    });
    expect(await gateway.waitForExit(120_000)).toBe(4);
    expect(gateway.log()).toContain(
      `capacity: PORT_IN_USE: HTTP port ${port} on 127.0.0.1 is already in use; set CAPACITY_HTTP_PORT to another port`,
    );
  } finally {
    await close(squatter);
  }
});
