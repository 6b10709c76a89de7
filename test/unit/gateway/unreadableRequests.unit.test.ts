// Requests the gateway cannot read are the client's fault: 400 problem+json, never 500 INTERNAL (found while
// fuzzing the gateway: a path parameter that is not valid percent-encoding, and a body that claims a
// Content-Encoding it does not have, were 500). The app runs on a real loopback port; Kafka-side parts are
// absent because these requests never reach them.
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ApiKeyStore, Authenticator, generateApiKey } from '../../../src/auth';
import { createGatewayApp } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

const planner = generateApiKey('planner', 'planner');
const orders = generateApiKey('orders', 'orders');
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
    authenticator: new Authenticator(new ApiKeyStore([planner.spec, orders.spec]), null),
    metricsRequireAuth: false,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** node:http, not fetch: the path goes out exactly as written. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${base}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: response.headers['content-type'] ?? '',
          body: JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

test.each([
  ['GET', '/v1/pools/%ZZ', planner.key],
  ['GET', '/v1/pools/%E0%A4%A', planner.key],
  ['GET', '/v1/pools/%ZZ/history', planner.key],
  ['PATCH', '/v1/pools/%ZZ', planner.key],
  ['DELETE', '/v1/reservations/%FF', orders.key],
])('%s %s: a path that is not valid percent-encoding is 400', async (method, path, key) => {
  const response = await send(method, path, { 'x-api-key': key });
  expect(response.status).toBe(400);
  expect(response.type).toContain('application/problem+json');
  expect(response.body).toMatchObject({ code: 'INVALID_REQUEST', detail: /^the request cannot be read: / });
});

test('a body that is not what its Content-Encoding says is 400', async () => {
  const response = await send(
    'POST',
    '/v1/availability',
    { 'x-api-key': planner.key, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    '{"zone":"north"}',
  );
  expect(response.status).toBe(400);
  expect(response.type).toContain('application/problem+json');
  expect(response.body).toMatchObject({ code: 'INVALID_REQUEST', detail: /^the request cannot be read: / });
});
