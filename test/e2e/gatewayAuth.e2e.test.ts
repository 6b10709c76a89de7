// Access control over real HTTP: a processor and a gateway started as users start them, with the test API
// keys and a JWKS served by this test (the identity provider). Every answer is checked against
// /openapi.json; the commands on the topic carry who issued them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { connectSerdes, topicNames } from '../../src/contracts';
import type { CommandEnvelope } from '../../src/domain';
import { createKafka, readToEnd } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { keyHeader, TEST_KEYS } from '../support/apiKeys';
import { gatewayApi, waitForReady, type ApiCall } from '../support/gatewayApi';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { freePort, ServiceProcess } from '../support/serviceProcess';

const ISSUER = 'https://idp.test.invalid/';
const AUDIENCE = 'capacity-api';
let env: ServiceEnv;
let base = '';
let call: ApiCall;
let jwks: Server;
let signingKey: KeyLike;
const started: ServiceProcess[] = [];

const slot = {
  zone: 'auth',
  slotStart: '2030-02-01T08:00:00Z',
  slotEnd: '2030-02-01T10:00:00Z',
  capacity: 3,
};

async function token(
  claims: Record<string, unknown>,
  options: { audience?: string; expiresIn?: string; key?: KeyLike } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? signingKey);
}
const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

/** The commands on the topic so far, decoded. */
async function commandsOnTopic(): Promise<CommandEnvelope[]> {
  const kafka = createKafka(env.config, { clientId: 'auth-audit', logger: createLogger('error') });
  const topics = topicNames(env.config.topicPrefix);
  const serdes = await connectSerdes({ url: env.config.registryUrl, auth: env.config.registryAuth }, topics);
  const values: Buffer[] = [];
  await readToEnd(
    kafka,
    'auth-audit',
    Array.from({ length: env.config.partitions }, (_, partition) => ({
      topic: topics.commands,
      partition,
      fromOffset: null,
    })),
    async (records) => {
      for (const r of records) if (r.value) values.push(r.value);
    },
  );
  return Promise.all(values.map((v) => serdes.command.decode(v)));
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));

  env = await serviceEnv();
  started.push(await env.startProcessor('auth-processor'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway = await ServiceProcess.start('gateway', 'auth-gateway', {
    ...env.processorEnv('auth-gateway'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: '20000',
    CAPACITY_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    CAPACITY_JWT_ISSUER: ISSUER,
    CAPACITY_JWT_AUDIENCE: AUDIENCE,
  });
  started.push(gateway);
  await waitForReady(`${base}/readyz`, gateway);
  call = await gatewayApi(base);
});

afterAll(async () => {
  for (const p of started) if (p.exitCode === undefined) await p.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

test('writes refuse anonymous callers and unknown keys with 401, wrong roles with 403; the right role passes', async () => {
  const anonymous = await call('PUT', '/v1/pools/auth-8', '/v1/pools/{poolId}', slot, { 'x-api-key': '' });
  expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  expect(anonymous.headers.get('www-authenticate')).toContain('X-API-Key');

  const noHeader = await fetch(`${base}/v1/pools/auth-8/close`, { method: 'POST' });
  expect(noHeader.status).toBe(401);
  expect(noHeader.headers.get('content-type')).toContain('application/problem+json');
  expect(await noHeader.json()).toMatchObject({ code: 'UNAUTHENTICATED', detail: /no credentials/ });

  const unknown = await call('PUT', '/v1/pools/auth-8', '/v1/pools/{poolId}', slot, {
    'x-api-key': `${TEST_KEYS.planner}x`,
  });
  expect(unknown).toMatchObject({ status: 401, body: { detail: 'the API key is not valid' } });

  for (const role of ['reader', 'orders'] as const) {
    const denied = await call('PUT', '/v1/pools/auth-8', '/v1/pools/{poolId}', slot, keyHeader(role));
    expect(denied).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(denied.body.detail).toBe(`test-${role} (role ${role}) may not do this: it needs the planner role`);
  }
  expect(
    await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'auth-8' }, keyHeader('planner')),
  ).toMatchObject({ status: 403 });
  expect(
    await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'auth-8' }, keyHeader('reader')),
  ).toMatchObject({ status: 403 });

  // Nothing refused became a command: the pool does not exist until the planner defines it.
  expect(
    await call('GET', '/v1/pools/auth-8', '/v1/pools/{poolId}', undefined, keyHeader('reader')),
  ).toMatchObject({
    status: 404,
  });
  expect(
    await call('PUT', '/v1/pools/auth-8', '/v1/pools/{poolId}', slot, keyHeader('planner')),
  ).toMatchObject({
    status: 201,
  });
  const changed = await call(
    'PATCH',
    '/v1/pools/auth-8',
    '/v1/pools/{poolId}',
    { capacity: 4 },
    keyHeader('planner'),
  );
  expect(changed).toMatchObject({ status: 200, body: { capacity: 4, version: 2 } });
  expect(
    await call('PATCH', '/v1/pools/auth-8', '/v1/pools/{poolId}', { capacity: 5 }, keyHeader('orders')),
  ).toMatchObject({ status: 403 });
  const reserved = await call(
    'POST',
    '/v1/reservations',
    '/v1/reservations',
    { poolId: 'auth-8' },
    keyHeader('orders'),
  );
  expect(reserved.status).toBe(201);
  const available = await call(
    'POST',
    '/v1/availability',
    '/v1/availability',
    { zone: 'auth' },
    keyHeader('reader'),
  );
  expect(available.body.pools?.map((p) => [p.poolId, p.reserved])).toEqual([['auth-8', 1]]);
  // Health and the contract stay open.
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
  expect((await fetch(`${base}/metrics`)).status).toBe(200);
});

test('JWTs from the identity provider: role claim, issuer, audience, expiry and signature are checked', async () => {
  const orders = await token({ sub: 'checkout-service', role: 'orders' });
  const planner = await token({ sub: 'planner-ana', role: ['reader', 'planner'] });
  const defined = await call(
    'PUT',
    '/v1/pools/auth-10',
    '/v1/pools/{poolId}',
    { ...slot, slotStart: '2030-02-01T10:00:00Z', slotEnd: '2030-02-01T12:00:00Z' },
    bearer(planner),
  );
  expect(defined.status).toBe(201);
  expect(
    await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'auth-10' }, bearer(orders)),
  ).toMatchObject({ status: 201 });
  expect(
    await call('POST', '/v1/pools/auth-10/close', '/v1/pools/{poolId}/close', undefined, bearer(orders)),
  ).toMatchObject({ status: 403, body: { detail: expect.stringContaining('checkout-service') } });

  const refused = async (jwt: string) =>
    (await call('POST', '/v1/reservations', '/v1/reservations', { poolId: 'auth-10' }, bearer(jwt))).body;
  expect(await refused(await token({ sub: 'x', role: 'orders' }, { expiresIn: '-2m' }))).toMatchObject({
    status: 401,
    detail: 'token has expired',
  });
  expect(await refused(await token({ sub: 'x', role: 'orders' }, { audience: 'another-api' }))).toMatchObject(
    {
      status: 401,
      detail: 'token claim "aud" is not accepted',
    },
  );
  const stranger = (await generateKeyPair('RS256')).privateKey;
  expect(await refused(await token({ sub: 'x', role: 'orders' }, { key: stranger }))).toMatchObject({
    status: 401,
    detail: 'token signature does not verify',
  });
  expect(await refused(await token({ sub: 'x', role: 'admin' }))).toMatchObject({
    status: 401,
    detail: expect.stringContaining('no known role'),
  });
  expect(await refused('not-a-jwt')).toMatchObject({ status: 401, detail: 'token is malformed' });
});

test("every command carries the name of the caller that issued it; planners' changes are logged with it", async () => {
  const commands = await commandsOnTopic();
  const issuers = (type: string) =>
    new Set(commands.filter((c) => c.command.type === type).map((c) => c.issuedBy));
  expect(issuers('DefinePool')).toEqual(new Set(['test-planner', 'planner-ana']));
  expect(issuers('ChangeCapacity')).toEqual(new Set(['test-planner']));
  expect(issuers('ReserveCapacity')).toEqual(new Set(['test-orders', 'checkout-service']));

  const changes = (started[1] as ServiceProcess)
    .log()
    .split('\n')
    .filter((line) => line.includes('"msg":"pool change"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(changes.map((c) => [c.issuedBy, c.command, c.poolId, c.outcome])).toEqual([
    ['test-planner', 'DefinePool', 'auth-8', 'accepted'],
    ['test-planner', 'ChangeCapacity', 'auth-8', 'accepted'],
    ['planner-ana', 'DefinePool', 'auth-10', 'accepted'],
  ]);
});
