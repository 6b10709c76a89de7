// The one problem+json mapping: what a stalled or unreachable Kafka, or a rejected command, looks like to an
// HTTP client.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ResultTimeoutError, SendTimeoutError } from '../../../src/client';
import type { CommandResult } from '../../../src/contracts';
import { RejectionCodes } from '../../../src/domain';
import { UnavailableError } from '../../../src/errors';
import { problemMiddleware, REJECTION_STATUS, rejectionProblem } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

let server: Server;
let base = '';

const rejectedResult = (reasonCode: string): CommandResult => ({
  commandId: 'cmd-9',
  requestId: 'order-9',
  poolId: 'north-1',
  status: 'rejected',
  reasonCode,
  message: `the ${reasonCode} message`,
  reservationId: null,
  poolVersion: 4,
  processedAt: 0,
  events: 0,
  units: null,
  reservationStatus: null,
});

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
  app.get('/rejected/:code', (request) => {
    throw rejectionProblem(rejectedResult(String(request.params.code)));
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

describe('rejected commands', () => {
  test('every domain rejection code has an HTTP status', () => {
    expect(Object.keys(REJECTION_STATUS).sort()).toEqual([...RejectionCodes].sort());
  });

  test.each([
    ['BOOKING_CLOSED', 409, '/problems/booking-closed', 'Conflict'],
    ['SLOT_ENDED', 409, '/problems/slot-ended', 'Conflict'],
    ['POOL_EXPIRED', 410, '/problems/pool-expired', 'Gone'],
    ['POOL_CLOSED', 409, '/problems/pool-closed', 'Conflict'],
    ['IDEMPOTENCY_KEY_REUSED', 422, '/problems/idempotency-key-reused', 'Unprocessable Content'],
    ['UNDECODABLE', 500, '/problems/undecodable', 'Internal Server Error'],
  ])('%s: %i problem+json %s with the message and the command id', async (code, status, type, title) => {
    const response = await fetch(`${base}/rejected/${code}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toEqual({
      type,
      title,
      status,
      detail: `the ${code} message`,
      code,
      requestId: '',
      commandId: 'cmd-9',
    });
  });

  test('rejectionProblem maps a result without a code to a 500 REJECTED', () => {
    const problem = rejectionProblem({ ...rejectedResult('X'), reasonCode: null, message: null });
    expect(problem).toMatchObject({ status: 500, code: 'REJECTED', detail: 'rejected' });
  });
});
