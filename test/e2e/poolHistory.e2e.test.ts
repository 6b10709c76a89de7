// Pool history from the warehouse (ADR 12), end to end: a processor, the warehouse connector (DuckDB) and a
// gateway started as users start them; a pool defined, reserved, resized, released and closed through the
// API; then its history and its state at past instants over HTTP (every answer checked against
// /openapi.json), the access rules, `capacity history` as a user runs it, and the 503 once the connector
// is gone.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keyHeader, TEST_KEYS } from '../support/apiKeys';
import { gatewayApi, waitForReady, type ApiCall } from '../support/gatewayApi';
import { duckdbWarehouseEnv, waitForHistory } from '../support/history';
import { uniqueName } from '../support/names';
import { serviceEnv } from '../support/serviceEnv';
import { freePort, scratchDir, ServiceProcess } from '../support/serviceProcess';

const CLI = resolve(__dirname, '../../bin/capacity.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let base = '';
let port = 0;
let call: ApiCall;
let connector: ServiceProcess;
let serviceEnvVars: Record<string, string> = {};
const started: ServiceProcess[] = [];

beforeAll(async () => {
  const env = await serviceEnv();
  serviceEnvVars = env.processorEnv('history-cli');
  started.push(await env.startProcessor('history-processor'));
  connector = await ServiceProcess.start('connector', 'history-connector', {
    ...env.processorEnv('history-connector'),
    ...duckdbWarehouseEnv(),
  });
  started.push(connector);
  await waitForReady(`http://127.0.0.1:${connector.metricsPort}/healthz`, connector);
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway = await ServiceProcess.start('gateway', 'history-gateway', {
    ...env.processorEnv('history-gateway'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: '20000',
    CAPACITY_HISTORY_URL: `http://127.0.0.1:${connector.metricsPort}`,
  });
  started.push(gateway);
  await waitForReady(`${base}/readyz`, gateway);
  call = await gatewayApi(base);
});

afterAll(async () => {
  for (const p of started) if (p.exitCode === undefined) await p.stop();
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/capacity.js history ...` against this test's gateway. */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolveRun) => {
    const full: NodeJS.ProcessEnv = {
      ...process.env,
      ...serviceEnvVars,
      CAPACITY_HTTP_PORT: String(port),
      ...env,
    };
    if (!('CAPACITY_API_KEY' in env)) delete full.CAPACITY_API_KEY;
    execFile('node', [CLI, 'history', ...args], { env: full, timeout: 60_000 }, (error, stdout, stderr) =>
      resolveRun({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface Event {
  version: number;
  type: string;
  occurredAt: string;
  commandId: string;
  details: Record<string, unknown>;
}

test('define, reserve, change, release, close: history in order with the API command ids; asOf; access; CLI', async () => {
  const testStart = Date.now();
  const poolId = uniqueName('hist').replace(/[^A-Za-z0-9_-]/g, '');
  const commandIds: string[] = [];
  const step = async (method: string, path: string, template: string, body?: unknown) => {
    const answer = await call(method, path, template, body, { 'idempotency-key': uniqueName('k') });
    expect(answer.status).toBeLessThan(300);
    const commandId = answer.headers.get('command-id');
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
    commandIds.push(commandId as string);
    await sleep(300); // events far enough apart in time that an instant between two is easy to name
    return answer;
  };
  await step('PUT', `/v1/pools/${poolId}`, '/v1/pools/{poolId}', {
    zone: 'north',
    slotStart: '2030-05-01T08:00:00Z',
    slotEnd: '2030-05-01T10:00:00Z',
    capacity: 10,
  });
  const reserved = await step('POST', '/v1/reservations', '/v1/reservations', { poolId, units: 2 });
  await step('PATCH', `/v1/pools/${poolId}`, '/v1/pools/{poolId}', { capacity: 12 });
  const reservationId = reserved.body.reservationId as string;
  await step('DELETE', `/v1/reservations/${reservationId}`, '/v1/reservations/{reservationId}');
  await step('POST', `/v1/pools/${poolId}/close`, '/v1/pools/{poolId}/close');

  // History: order, contiguous versions, the command ids the API returned, times in the test's window.
  const history = await waitForHistory(call, poolId, 5);
  const events = history.events as unknown as Event[];
  expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
  expect(events.map((e) => e.type)).toEqual([
    'PoolDefined',
    'CapacityReserved',
    'CapacityChanged',
    'CapacityReleased',
    'PoolClosed',
  ]);
  expect(events.map((e) => e.commandId)).toEqual(commandIds);
  const times = events.map((e) => Date.parse(e.occurredAt));
  for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
  expect(times[0]).toBeGreaterThanOrEqual(testStart - 1000);
  expect(times[4]).toBeLessThanOrEqual(Date.now() + 1000);
  expect(events[0]?.details).toMatchObject({
    zone: 'north',
    capacity: 10,
    slotStart: Date.parse('2030-05-01T08:00:00Z'),
  });
  expect(events[1]?.details).toMatchObject({ reservationId, units: 2 });
  expect(events[2]?.details).toMatchObject({ capacity: 12, previousCapacity: 10 });
  expect(history).toMatchObject({ poolId, complete: true, warehouse: { kind: 'duckdb' } });
  const limited = await call('GET', `/v1/pools/${poolId}/history?limit=2`, '/v1/pools/{poolId}/history');
  expect(limited.body).toMatchObject({ complete: false });
  expect((limited.body.events as unknown as Event[]).map((e) => e.version)).toEqual([4, 5]);

  // asOf between the reserve (v2) and the capacity change (v3): the intermediate state.
  const between = new Date((times[1] as number) + 100).toISOString();
  const asOf = await call('GET', `/v1/pools/${poolId}?asOf=${between}`, '/v1/pools/{poolId}');
  expect(asOf.status).toBe(200);
  expect(asOf.body).toMatchObject({
    poolId,
    version: 2,
    capacity: 10,
    reserved: 2,
    available: 8,
    status: 'open',
    reservations: 1,
    asOf: between,
    skipped: [],
  });
  const after = await call(
    'GET',
    `/v1/pools/${poolId}?asOf=${new Date().toISOString()}`,
    '/v1/pools/{poolId}',
  );
  expect(after.body).toMatchObject({ version: 5, capacity: 12, reserved: 0, status: 'closed' });
  // Without asOf: the read model's answer, unchanged.
  const current = await call('GET', `/v1/pools/${poolId}`, '/v1/pools/{poolId}');
  expect(Object.keys(current.body).sort()).toEqual(
    [
      'available',
      'bookableUntil',
      'capacity',
      'poolId',
      'reserved',
      'slotEnd',
      'slotStart',
      'status',
      'version',
      'zone',
    ].sort(),
  );

  // Before the pool existed, an unknown pool, a bad instant.
  const before = new Date((times[0] as number) - 1000).toISOString();
  const early = await call('GET', `/v1/pools/${poolId}?asOf=${before}`, '/v1/pools/{poolId}');
  expect(early).toMatchObject({ status: 404, body: { code: 'POOL_NOT_FOUND', detail: /did not exist at/ } });
  const unknown = await call('GET', `/v1/pools/${poolId}x/history`, '/v1/pools/{poolId}/history');
  expect(unknown).toMatchObject({ status: 404, body: { code: 'POOL_NOT_FOUND' } });
  const bad = await call('GET', `/v1/pools/${poolId}?asOf=yesterday`, '/v1/pools/{poolId}');
  expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', detail: /query\.asOf/ } });

  // Access: the reader role is enough; no credentials is 401.
  const asReader = await call(
    'GET',
    `/v1/pools/${poolId}/history`,
    '/v1/pools/{poolId}/history',
    undefined,
    keyHeader('reader'),
  );
  expect(asReader.status).toBe(200);
  for (const path of [`/v1/pools/${poolId}/history`, `/v1/pools/${poolId}?asOf=${between}`]) {
    const anonymous = await fetch(`${base}${path}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  }

  // The CLI, with CAPACITY_API_KEY, and with the local planner key capacity start would have written.
  const table = await cli([poolId], { CAPACITY_API_KEY: TEST_KEYS.reader });
  expect(table).toMatchObject({ code: 0, stderr: '' });
  const lines = table.stdout.trim().split('\n');
  expect(lines[0]).toBe(`pool ${poolId}: 5 events`);
  expect(lines[1]).toMatch(/^VERSION\s+TIME\s+TYPE\s+DETAILS\s+COMMAND$/);
  for (const [i, event] of events.entries()) {
    const line = lines[2 + i] as string;
    expect(line).toMatch(new RegExp(`^${event.version}\\s+${event.occurredAt}\\s+${event.type}\\s`));
    expect(line.endsWith(event.commandId)).toBe(true);
  }
  expect(lines[2]).toContain('slotStart=2030-05-01T08:00:00.000Z');
  expect(lines.at(-1)).toMatch(/^warehouse \(duckdb\): journal partition \d+ loaded up to offset \d+/);

  const stateDir = scratchDir('history-cli-state');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    join(stateDir, 'local-api-keys.json'),
    JSON.stringify([{ name: 'local-planner', role: 'planner', key: TEST_KEYS.planner }]),
  );
  const asOfCli = await cli([poolId, '--as-of', between], { CAPACITY_STATE_DIR: stateDir });
  expect(asOfCli).toMatchObject({ code: 0, stderr: '' });
  expect(asOfCli.stdout).toMatch(/^pool:\s+\S+$/m);
  expect(asOfCli.stdout).toMatch(/^reserved:\s+2 \(1 reservation\)$/m);
  expect(asOfCli.stdout).toMatch(/^version:\s+2 \(since /m);
  const json = await cli([poolId, '--json'], { CAPACITY_API_KEY: TEST_KEYS.reader });
  expect(JSON.parse(json.stdout)).toMatchObject({ poolId, events: expect.any(Array), complete: true });

  const missing = await cli([`${poolId}x`], { CAPACITY_API_KEY: TEST_KEYS.reader });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(
    /^capacity: POOL_NOT_FOUND: Not Found: pool \S+ has no events in the warehouse( \(the warehouse is \d+ records behind the journal in partition \d+\))? \(HTTP 404\)/,
  );
  const badTime = await cli([poolId, '--as-of', 'noon'], { CAPACITY_API_KEY: TEST_KEYS.reader });
  expect(badTime.code).toBe(2);
  expect(badTime.stderr).toMatch(/--as-of: must be an ISO-8601 date-time/);
  const noKey = await cli([poolId], { CAPACITY_STATE_DIR: scratchDir('history-no-keys') });
  expect(noKey.code).toBe(1);
  expect(noKey.stderr).toMatch(/UNAUTHENTICATED.*\(HTTP 401\) \(sent no key/);

  // The connector gone: 503 in words, naming it and the setting.
  await connector.stop();
  const down = await call('GET', `/v1/pools/${poolId}/history`, '/v1/pools/{poolId}/history');
  expect(down).toMatchObject({
    status: 503,
    body: {
      code: 'HISTORY_UNAVAILABLE',
      detail: /warehouse connector at http:\/\/127\.0\.0\.1:\d+ \(CAPACITY_HISTORY_URL\)/,
    },
  });
  expect(down.headers.get('retry-after')).toBe('1');
  const downCli = await cli([poolId], { CAPACITY_API_KEY: TEST_KEYS.reader });
  expect(downCli.code).toBe(1);
  expect(downCli.stderr).toMatch(/HISTORY_UNAVAILABLE/);
});
