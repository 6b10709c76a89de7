// /metrics is open by default and behind any valid credential with CAPACITY_METRICS_AUTH=required; the
// health endpoints stay open either way. The app runs on a real loopback port; Kafka-side parts are absent
// because these routes never touch them.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ApiKeyStore, Authenticator, generateApiKey } from '../../../src/auth';
import { createGatewayApp } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

const reader = generateApiKey('scraper', 'reader');
const servers: Server[] = [];

async function gateway(metricsRequireAuth: boolean): Promise<string> {
  const app = createGatewayApp({
    client: {} as never,
    readModel: { status: () => ({ ready: true }) } as never,
    timeoutMs: 1000,
    maxInFlight: 10,
    logger: createLogger('silent'),
    registry: new Registry(),
    isHealthy: () => true,
    authenticator: new Authenticator(new ApiKeyStore([reader.spec]), null),
    metricsRequireAuth,
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

test('open by default', async () => {
  const base = await gateway(false);
  expect((await fetch(`${base}/metrics`)).status).toBe(200);
});

test('required: 401 problem without credentials or with a bad key, 200 with a key; health stays open', async () => {
  const base = await gateway(true);
  const anonymous = await fetch(`${base}/metrics`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  expect((await fetch(`${base}/metrics`, { headers: { 'x-api-key': 'cap_wrong' } })).status).toBe(401);
  const scraped = await fetch(`${base}/metrics`, { headers: { 'x-api-key': reader.key } });
  expect(scraped.status).toBe(200);
  expect(await scraped.text()).toContain('capacity_gateway_commands_max_in_flight');
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
});
