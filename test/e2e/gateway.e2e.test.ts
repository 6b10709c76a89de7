// The HTTP API over real HTTP, with a processor and a gateway started as users start them. Every
// response is also validated against /openapi.json.
import { gatewayApi, waitForReady, type ApiCall } from '../support/gatewayApi';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { freePort, ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
let base = '';
let gatewayEnv: Record<string, string>;
let gateway: ServiceProcess;
const started: ServiceProcess[] = [];
let call: ApiCall;

async function startGateway(): Promise<ServiceProcess> {
  const g = await ServiceProcess.start('gateway', 'gateway', gatewayEnv);
  started.push(g);
  await waitForReady(`${base}/readyz`, g);
  return g;
}

const day = '2030-12-07';
const slot = (hour: number) => ({
  slotStart: `${day}T${String(hour).padStart(2, '0')}:00:00Z`,
  slotEnd: `${day}T${String(hour + 2).padStart(2, '0')}:00:00Z`,
});

beforeAll(async () => {
  env = await serviceEnv();
  const processor = await ServiceProcess.start('processor', 'gw-processor', env.processorEnv('gw-processor'));
  started.push(processor);
  await processor.waitReady();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  gatewayEnv = {
    ...env.processorEnv('gw'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: '20000',
  };
  gateway = await startGateway();
  call = await gatewayApi(base);
});

afterAll(async () => {
  for (const p of started) if (p.exitCode === undefined) await p.stop();
});

test('pools in three zones; availability filters by zone, window and units, sorted by slot start', async () => {
  for (const [zone, hour, capacity] of [
    ['north', 10, 5],
    ['north', 8, 1],
    ['north', 14, 3],
    ['south', 8, 5],
    ['east', 8, 5],
  ] as const) {
    const created = await call('PUT', `/v1/pools/${zone}-${hour}`, '/v1/pools/{poolId}', {
      zone,
      ...slot(hour),
      capacity,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      poolId: `${zone}-${hour}`,
      capacity,
      reserved: 0,
      available: capacity,
      status: 'open',
      version: 1,
    });
  }
  const again = await call('PUT', '/v1/pools/north-10', '/v1/pools/{poolId}', {
    zone: 'north',
    ...slot(10),
    capacity: 5,
  });
  expect(again.status).toBe(200); // an identical definition changes nothing
  const changed = await call('PUT', '/v1/pools/north-10', '/v1/pools/{poolId}', {
    zone: 'north',
    ...slot(10),
    capacity: 6,
  });
  expect(changed).toMatchObject({ status: 200, body: { capacity: 6, version: 2 } });
  const conflict = await call('PUT', '/v1/pools/north-10', '/v1/pools/{poolId}', {
    zone: 'south',
    ...slot(10),
    capacity: 6,
  });
  expect(conflict).toMatchObject({ status: 409, body: { code: 'POOL_ALREADY_DEFINED' } });

  const north = await call('POST', '/v1/availability', '/v1/availability', { zone: 'north' });
  expect(north.body.pools?.map((p) => p.poolId)).toEqual(['north-8', 'north-10', 'north-14']);
  const window = await call('POST', '/v1/availability', '/v1/availability', {
    zone: 'north',
    from: `${day}T09:00:00Z`,
    to: `${day}T14:00:00Z`,
  });
  expect(window.body.pools?.map((p) => p.poolId)).toEqual(['north-10']);
  const units = await call('POST', '/v1/availability', '/v1/availability', { zone: 'north', units: 3 });
  expect(units.body.pools?.map((p) => p.poolId)).toEqual(['north-10', 'north-14']);
  expect(
    (await call('POST', '/v1/availability', '/v1/availability', { zone: 'nowhere' })).body.pools,
  ).toEqual([]);
});

test('reserve until full, release gives capacity back, release is idempotent, unknown ids are 404', async () => {
  const reserve = () => call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'south-8', units: 2 });
  const first = await reserve();
  const second = await reserve();
  expect([first.status, second.status]).toEqual([201, 201]);
  const full = await reserve();
  expect(full).toMatchObject({ status: 409, body: { code: 'INSUFFICIENT_CAPACITY' } });
  expect(full.body.detail).toMatch(/2 requested/);

  const path = `/v1/reservations/${first.body.reservationId as string}`;
  const released = await call('DELETE', path, '/v1/reservations/{reservationId}');
  expect(released).toMatchObject({
    status: 200,
    body: { reservationId: first.body.reservationId, poolId: 'south-8', status: 'released' },
  });
  expect((await call('DELETE', path, '/v1/reservations/{reservationId}')).status).toBe(200);
  expect((await reserve()).status).toBe(201);

  expect(
    await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'no-such-pool' }),
  ).toMatchObject({ status: 404, body: { code: 'POOL_NOT_FOUND' } });
  const unknown = await call(
    'DELETE',
    '/v1/reservations/r1.south-8.00000000000000000000000000000000',
    '/v1/reservations/{reservationId}',
  );
  expect(unknown).toMatchObject({ status: 404, body: { code: 'RESERVATION_NOT_FOUND' } });
  expect(await call('GET', '/v1/pools/nope', '/v1/pools/{poolId}')).toMatchObject({
    status: 404,
    body: { code: 'POOL_NOT_FOUND' },
  });
});

test('bad input gets 400 problem documents that name what was wrong', async () => {
  const malformed = await call('POST', '/v1/reservations', '/v1/reservations', '{"poolId": ');
  expect(malformed).toMatchObject({
    status: 400,
    body: { code: 'MALFORMED_JSON', type: '/problems/malformed-json' },
  });
  const wrongType = await call('POST', '/v1/reservations', '/v1/reservations', {
    poolId: 'south-8',
    units: 'two',
  });
  expect(wrongType.body).toMatchObject({ code: 'INVALID_REQUEST' });
  expect(wrongType.body.detail).toMatch(/body\.units/);
  const negative = await call('POST', '/v1/reservations', '/v1/reservations', {
    poolId: 'south-8',
    units: -1,
  });
  expect(negative.body.detail).toMatch(/body\.units: must be >= 1/);
  const badPool = await call('PUT', '/v1/pools/bad.id', '/v1/pools/{poolId}', {
    zone: 'x',
    ...slot(8),
    capacity: 1,
  });
  expect(badPool.body.detail).toMatch(/^poolId: /);
  const badSlot = await call('PUT', '/v1/pools/x-1', '/v1/pools/{poolId}', {
    zone: 'x',
    slotStart: `${day}T10:00:00Z`,
    slotEnd: `${day}T08:00:00Z`,
    capacity: 1,
  });
  expect(badSlot.body.detail).toMatch(/body\.slotEnd: must be after slotStart/);
  const badId = await call('DELETE', '/v1/reservations/not-an-id', '/v1/reservations/{reservationId}');
  expect(badId).toMatchObject({ status: 400, body: { code: 'INVALID_RESERVATION_ID' } });
  expect(badId.body.requestId).toMatch(/.+/);
});

test('an Idempotency-Key replay returns the same reservation; the write token gives read-your-writes', async () => {
  const headers = { 'Idempotency-Key': 'order-4711' };
  const first = await call(
    'POST',
    '/v1/reservations',
    '/v1/reservations',
    { poolId: 'east-8', units: 1 },
    headers,
  );
  const replay = await call(
    'POST',
    '/v1/reservations',
    '/v1/reservations',
    { poolId: 'east-8', units: 1 },
    headers,
  );
  expect(replay.body.reservationId).toBe(first.body.reservationId);

  const version = first.body.poolVersion as number;
  const pool = await call('GET', `/v1/pools/east-8?minVersion=${version}`, '/v1/pools/{poolId}');
  expect(pool.body).toMatchObject({ reserved: 1, version });
  const available = await call('POST', '/v1/availability', '/v1/availability', {
    zone: 'east',
    consistencyToken: `east-8:${version}`,
  });
  expect(available.body.pools?.[0]).toMatchObject({ poolId: 'east-8', available: 4 });
});

test('closing a pool stops reservations; a restarted gateway rebuilds the read model', async () => {
  const closed = await call('POST', '/v1/pools/north-14/close', '/v1/pools/{poolId}/close');
  expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
  expect(await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'north-14' })).toMatchObject({
    status: 409,
    body: { code: 'POOL_CLOSED' },
  });

  expect(await gateway.stop()).toBe(0);
  gateway = await startGateway();
  const north = await call('POST', '/v1/availability', '/v1/availability', { zone: 'north' });
  expect(north.body.pools?.map((p) => p.poolId)).toEqual(['north-8', 'north-10']);
  expect((await call('GET', '/v1/pools/east-8', '/v1/pools/{poolId}')).body).toMatchObject({ reserved: 1 });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/capacity_gateway_read_model_pools \d+/);
});

test('an Idempotency-Key is one reservation: other units get 422, a replay gets the actual units and status', async () => {
  await call('PUT', '/v1/pools/west-8', '/v1/pools/{poolId}', { zone: 'west', ...slot(8), capacity: 5 });
  const reserve = (units: number) =>
    call(
      'POST',
      '/v1/reservations',
      '/v1/reservations',
      { poolId: 'west-8', units },
      { 'Idempotency-Key': 'order-77' },
    );
  const first = await reserve(2);
  expect(first).toMatchObject({ status: 201, body: { poolId: 'west-8', units: 2, status: 'reserved' } });
  const reservationId = first.body.reservationId as string;

  const reused = await reserve(5);
  expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  expect(reused.body.detail).toMatch(/order-77 .* of 2 units; this request asks for 5/);
  expect(await reserve(2)).toMatchObject({
    status: 200,
    body: { reservationId, units: 2, status: 'reserved', poolVersion: first.body.poolVersion },
  });
  const pool = await call(
    'GET',
    `/v1/pools/west-8?minVersion=${first.body.poolVersion}`,
    '/v1/pools/{poolId}',
  );
  expect(pool.body).toMatchObject({ reserved: 2, available: 3 });

  await call('DELETE', `/v1/reservations/${reservationId}`, '/v1/reservations/{reservationId}');
  expect(await reserve(2)).toMatchObject({
    status: 200,
    body: { reservationId, units: 2, status: 'released' },
  });
  expect(await reserve(5)).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
});

test('a reserve without Idempotency-Key is a new reservation each time; the key used comes back in a header', async () => {
  const body = { poolId: 'west-8', units: 1 };
  const first = await call('POST', '/v1/reservations', '/v1/reservations', body);
  const second = await call('POST', '/v1/reservations', '/v1/reservations', body);
  expect([first.status, second.status]).toEqual([201, 201]);
  expect(second.body.reservationId).not.toBe(first.body.reservationId);
  const key = first.headers.get('idempotency-key') ?? '';
  expect(key).toMatch(/^[0-9a-f-]{36}$/);
  const retried = await call('POST', '/v1/reservations', '/v1/reservations', body, {
    'Idempotency-Key': key,
  });
  expect(retried).toMatchObject({ status: 200, body: { reservationId: first.body.reservationId } });
});
