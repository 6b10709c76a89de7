// Load shedding over real HTTP: a gateway allowed one write command in flight, and a processor paused
// (SIGSTOP) so that command's result cannot arrive. Further writes must be answered 503 + Retry-After while
// the first one still waits, instead of queueing behind it; reads are not bounded; once the processor
// resumes, the accepted write succeeds.
import { topicNames } from '../../src/contracts';
import { createKafka, readToEnd } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { gatewayApi, waitForReady, type ApiCall } from '../support/gatewayApi';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { freePort, ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
let base = '';
let call: ApiCall;
let processor: ServiceProcess;
const started: ServiceProcess[] = [];

/** Records on the command topic so far: a command is there once Kafka acknowledged its send. */
async function commandsWritten(): Promise<number> {
  const kafka = createKafka(env.config, { clientId: 'shedding-audit', logger: createLogger('error') });
  const topic = topicNames(env.config.topicPrefix).commands;
  const partitions = Array.from({ length: env.config.partitions }, (_, partition) => partition);
  const { endOffsets } = await readToEnd(
    kafka,
    'shedding-audit',
    partitions.map((partition) => ({ topic, partition, fromOffset: Number.MAX_SAFE_INTEGER })),
    async () => undefined,
  );
  return [...endOffsets.values()].reduce((sum, end) => sum + end, 0);
}

async function waitFor(what: string, predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await serviceEnv();
  processor = await env.startProcessor('shed-processor');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway = await ServiceProcess.start('gateway', 'shed-gateway', {
    ...env.processorEnv('shed-gateway'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: '30000',
    CAPACITY_GATEWAY_MAX_IN_FLIGHT: '1',
  });
  started.push(gateway);
  await waitForReady(`${base}/readyz`, gateway);
  call = await gatewayApi(base);
});

afterAll(async () => {
  processor?.signal('SIGCONT');
  for (const p of started) if (p.exitCode === undefined) await p.stop();
  await env?.killAll();
});

test('past the bound, writes get 503 + Retry-After at once; the accepted write still succeeds', async () => {
  const pool = {
    zone: 'shed',
    slotStart: '2030-12-07T08:00:00Z',
    slotEnd: '2030-12-07T10:00:00Z',
    capacity: 10,
  };
  expect((await call('PUT', '/v1/pools/shed-8', '/v1/pools/{poolId}', pool)).status).toBe(201);
  const before = await commandsWritten();

  processor.signal('SIGSTOP'); // results stop arriving: the next write stays in flight
  const reserve = (key: string) =>
    call(
      'POST',
      '/v1/reservations',
      '/v1/reservations',
      { poolId: 'shed-8', units: 1 },
      { 'Idempotency-Key': key },
    );
  const accepted = reserve('order-accepted');
  let acceptedSettled = false;
  const settle = () => (acceptedSettled = true);
  accepted.then(settle, settle);
  await waitFor('the first reserve on the command topic', async () => (await commandsWritten()) > before);

  const shed = await Promise.all([reserve('order-2'), reserve('order-3'), reserve('order-4')]);
  for (const response of shed) {
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'OVERLOADED' });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }
  expect(acceptedSettled).toBe(false); // answered while the first write was still waiting, not after it
  expect(await commandsWritten()).toBe(before + 1); // shed requests never became commands

  // Reads come from the read model and are not bounded by in-flight commands.
  expect((await call('GET', '/v1/pools/shed-8', '/v1/pools/{poolId}')).status).toBe(200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/^capacity_gateway_commands_in_flight 1$/m);
  expect(metrics).toMatch(/^capacity_gateway_commands_shed_total 3$/m);

  processor.signal('SIGCONT');
  expect(await accepted).toMatchObject({ status: 201, body: { units: 1, status: 'reserved' } });
  const after = await (await fetch(`${base}/metrics`)).text();
  expect(after).toMatch(/^capacity_gateway_commands_in_flight 0$/m);
  // With the slot free again, the next write is accepted.
  expect((await reserve('order-2')).status).toBe(201);
});
