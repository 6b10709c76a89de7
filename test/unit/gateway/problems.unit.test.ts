// The one problem+json mapping: what a stalled or unreachable Kafka looks like to an HTTP client.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ResultTimeoutError, SendTimeoutError } from '../../../src/client';
import { UnavailableError } from '../../../src/errors';
import { problemMiddleware } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

let server: Server;
let base = '';

beforeAll(async () => {
  const app = express();
  app.get('/send-timeout', () => {
    throw new SendTimeoutError('cmd-1', 5000, 'order-1');
  });
  app.get('/not-sent', () => {
    throw new UnavailableError('Kafka unavailable, command cmd-2 not sent: timed out', {
      context: { commandId: 'cmd-2' },
    });
  });
  app.get('/result-timeout', () => {
    throw new ResultTimeoutError('cmd-3', 5000, 'order-3');
  });
  app.use(problemMiddleware(createLogger('silent')));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

test.each([
  ['/send-timeout', 'SEND_TIMEOUT', 'cmd-1'],
  ['/not-sent', 'UNAVAILABLE', 'cmd-2'],
])('%s: 503 problem+json with Retry-After and the command id', async (path, code, commandId) => {
  const response = await fetch(`${base}${path}`);
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toMatchObject({ status: 503, code, commandId });
});

test('no result in time: 504 with the command id, no Retry-After', async () => {
  const response = await fetch(`${base}/result-timeout`);
  expect(response.status).toBe(504);
  expect(response.headers.get('retry-after')).toBeNull();
  expect(await response.json()).toMatchObject({ code: 'RESULT_TIMEOUT', commandId: 'cmd-3' });
});
