// Methods the document does not list for a path: OPTIONS answers every documented method in Allow, any other
// method is 405 problem+json with Allow (found by the fuzz test: express's OPTIONS answer on
// /v1/pools/{poolId} said GET, HEAD only, and TRACE on a documented path was 404 ROUTE_NOT_FOUND). The app
// runs on a real loopback port; Kafka-side parts are absent because these requests never reach them.
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ApiKeyStore, Authenticator, generateApiKey } from '../../../src/auth';
import { createGatewayApp } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

const planner = generateApiKey('planner', 'planner');
let server: Server;
let base = '';

beforeAll(async () => {
  const app = createGatewayApp({
    client: {} as never,
    readModel: { status: () => ({ ready: true }) } as never,
    timeoutMs: 1000,
    maxInFlight: 10,
    logger: createLogger('silent'),
    registry: new Registry(),
    isHealthy: () => true,
    authenticator: new Authenticator(new ApiKeyStore([planner.spec]), null),
    metricsRequireAuth: false,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** node:http, not fetch: fetch refuses TRACE. */
function send(method: string, path: string): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: new Headers(response.headers as Record<string, string>),
          body,
        }),
      );
    })
      .once('error', reject)
      .end();
  });
}

test.each([
  ['/v1/pools/north-10', 'PUT, GET, PATCH, HEAD, OPTIONS'],
  ['/v1/pools/north-10/', 'PUT, GET, PATCH, HEAD, OPTIONS'],
  ['/v1/pools/north-10/close', 'POST, OPTIONS'],
  ['/v1/reservations/r1.north-10.00000000000000000000000000000000', 'DELETE, OPTIONS'],
  ['/v1/pools', 'GET, HEAD, OPTIONS'],
  ['/healthz', 'GET, HEAD, OPTIONS'],
])('OPTIONS %s: 204 with every documented method in Allow', async (path, allow) => {
  const response = await send('OPTIONS', path);
  expect(response.status).toBe(204);
  expect(response.headers.get('allow')).toBe(allow);
});

test.each([
  ['TRACE', '/healthz', 'GET, HEAD, OPTIONS'],
  ['DELETE', '/v1/pools/north-10', 'PUT, GET, PATCH, HEAD, OPTIONS'],
  ['PUT', '/v1/reservations', 'POST, OPTIONS'],
  ['GET', '/v1/pools/north-10/close', 'POST, OPTIONS'],
])(
  '%s %s: 405 METHOD_NOT_ALLOWED problem with Allow, before credentials are asked for',
  async (method, path, allow) => {
    const response = await send(method, path);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 405,
      title: 'Method Not Allowed',
      code: 'METHOD_NOT_ALLOWED',
      detail: `${method} is not allowed on ${path}: it allows ${allow}`,
    });
  },
);

test('documented methods pass through; paths the document does not have stay 404', async () => {
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect((await fetch(`${base}/v1/pools/north-10`, { method: 'PATCH' })).status).toBe(401);
  const unknown = await send('TRACE', '/v1/nothing');
  expect(unknown.status).toBe(404);
  expect(JSON.parse(unknown.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
});
