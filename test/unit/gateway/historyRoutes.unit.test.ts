// The gateway's pool history routes over loopback HTTP, against a fake connector (a plain HTTP server): the
// answers are passed on; every way the connector can fail maps to a problem in words (503 naming the
// connector and CAPACITY_HISTORY_URL, 404, 400); bad parameters are refused before the connector is asked;
// GET /v1/pools/{poolId} without asOf is left to the next route.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import {
  ConnectorHistory,
  historyRoutes,
  problemMiddleware,
  unconfiguredHistory,
} from '../../../src/gateway';
import { createLogger } from '../../../src/observability';

const warehouse = {
  kind: 'duckdb',
  partition: 2,
  loadedOffset: 10,
  lagRecords: 0,
  loadedAt: '2030-01-01T00:00:00.000Z',
};
const historyAnswer = {
  poolId: 'p-1',
  events: [
    {
      version: 1,
      type: 'PoolDefined',
      occurredAt: '2030-01-01T00:00:00.000Z',
      commandId: 'c1',
      details: { zone: 'n', capacity: 5 },
      partition: 2,
      offset: 4,
    },
  ],
  complete: true,
  warehouse,
};
const asOfAnswer = {
  poolId: 'p-1',
  zone: 'n',
  slotStart: '2030-01-02T08:00:00.000Z',
  slotEnd: '2030-01-02T10:00:00.000Z',
  capacity: 5,
  reserved: 0,
  available: 5,
  status: 'open',
  version: 1,
  updatedAt: '2030-01-01T00:00:00.000Z',
  reservations: 0,
  asOf: '2030-01-01T00:00:01.000Z',
  eventsApplied: 1,
  skipped: [],
  warehouse,
};

let connector: Server;
let connectorUrl = '';
let reply: (request: IncomingMessage, response: ServerResponse) => void;
const asked: string[] = [];

const listen = async (server: Server) => {
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  connector = createServer((request, response) => {
    asked.push(request.url ?? '');
    reply(request, response);
  });
  connectorUrl = await listen(connector);
});
afterAll(async () => {
  connector.closeAllConnections();
  await new Promise((resolve) => connector.close(resolve));
});
beforeEach(() => {
  asked.length = 0;
});

const json = (status: number, body: unknown) => (_q: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** A gateway app with the history routes in front of a stand-in for the read-model route. */
async function gateway(source = new ConnectorHistory(connectorUrl, 300)) {
  const roles: string[] = [];
  const requireRole =
    (role: string): RequestHandler =>
    (_request, _response, next) => {
      roles.push(role);
      next();
    };
  const app = express();
  app.use('/v1', historyRoutes({ history: source, requireRole }));
  app.get('/v1/pools/:poolId', (_request, response) => {
    response.json({ from: 'read model' });
  });
  app.use(problemMiddleware(createLogger('silent')));
  const server = app.listen(0, '127.0.0.1');
  const base = await new Promise<string>((resolve) =>
    server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { get, roles, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('answers are passed on; the reader role is required; asOf and limit reach the connector', async () => {
  const g = await gateway();
  try {
    reply = json(200, historyAnswer);
    expect(await g.get('/v1/pools/p-1/history?limit=5')).toMatchObject({ status: 200, body: historyAnswer });
    reply = json(200, asOfAnswer);
    expect(await g.get('/v1/pools/p-1?asOf=2030-01-01T00:00:01Z')).toMatchObject({
      status: 200,
      body: asOfAnswer,
    });
    expect(asked).toEqual(['/history/p-1?limit=5', '/history/p-1?asOf=2030-01-01T00%3A00%3A01Z']);
    expect(g.roles).toEqual(['reader', 'reader']);
    // Without asOf: the next route (the read model), and the connector is not asked.
    expect(await g.get('/v1/pools/p-1')).toMatchObject({ status: 200, body: { from: 'read model' } });
    expect(asked).toHaveLength(2);
  } finally {
    await g.close();
  }
});

test('bad parameters: 400 naming them, and the connector is not asked', async () => {
  const g = await gateway();
  try {
    expect(await g.get('/v1/pools/p-1?asOf=yesterday')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_REQUEST', detail: expect.stringMatching(/^query\.asOf: must be an ISO-8601/) },
    });
    expect(await g.get('/v1/pools/p-1?asOf=2030-01-01T00:00:00Z&minVersion=3')).toMatchObject({
      status: 400,
      body: { detail: 'query: asOf and minVersion cannot be combined' },
    });
    expect(await g.get('/v1/pools/p-1/history?limit=0')).toMatchObject({
      status: 400,
      body: { detail: /^query\.limit/ },
    });
    expect(await g.get('/v1/pools/bad%20id/history')).toMatchObject({
      status: 400,
      body: { detail: /^poolId/ },
    });
    expect(asked).toEqual([]);
  } finally {
    await g.close();
  }
});

test("the connector's errors: 404 pool, 400 parameter, 503 for everything else, in words", async () => {
  const g = await gateway();
  try {
    reply = json(404, {
      code: 'POOL_NOT_FOUND',
      detail: 'pool p-1 did not exist at 2020-01-01T00:00:00.000Z',
    });
    expect(await g.get('/v1/pools/p-1?asOf=2020-01-01T00:00:00Z')).toMatchObject({
      status: 404,
      body: { code: 'POOL_NOT_FOUND', detail: 'pool p-1 did not exist at 2020-01-01T00:00:00.000Z' },
    });
    reply = json(400, { code: 'INVALID_REQUEST', detail: 'asOf: must be an ISO-8601 date-time' });
    expect(await g.get('/v1/pools/p-1?asOf=2030-01-01T00:00:00Z')).toMatchObject({
      status: 400,
      body: { detail: /^asOf/ },
    });

    const unavailable = (detail: RegExp) => ({ status: 503, body: { code: 'HISTORY_UNAVAILABLE', detail } });
    const where = /the warehouse connector at http:\/\/127\.0\.0\.1:\d+ \(CAPACITY_HISTORY_URL\)/;
    reply = json(503, { code: 'WAREHOUSE_UNAVAILABLE', detail: 'the warehouse query failed: IO Error' });
    const failed = await g.get('/v1/pools/p-1/history');
    expect(failed).toMatchObject(unavailable(/could not answer: the warehouse query failed: IO Error/));
    expect(failed.body.detail).toMatch(where);
    expect(failed.headers.get('retry-after')).toBe('1');
    // An older connector without the endpoint: its 404 is not "no such pool".
    reply = (_q, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found: try /metrics or /healthz\n');
    };
    expect(await g.get('/v1/pools/p-1/history')).toMatchObject(unavailable(/does not serve pool history/));
    reply = json(200, { poolId: 'p-1', events: 'nope' });
    expect(await g.get('/v1/pools/p-1/history')).toMatchObject(
      unavailable(/answered in an unexpected shape/),
    );
    reply = () => undefined; // never answers
    expect(await g.get('/v1/pools/p-1/history')).toMatchObject(unavailable(/did not answer within 300 ms/));
  } finally {
    connector.closeAllConnections();
    await g.close();
  }
});

test('no connector listening, or none configured: 503 naming the setting', async () => {
  const closed = createServer();
  const url = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const down = await gateway(new ConnectorHistory(url, 1000));
  try {
    expect(await down.get('/v1/pools/p-1/history')).toMatchObject({
      status: 503,
      body: {
        code: 'HISTORY_UNAVAILABLE',
        detail: expect.stringMatching(
          /\(CAPACITY_HISTORY_URL\) could not be reached \(ECONNREFUSED\); is `capacity connector` running\?/,
        ),
      },
    });
  } finally {
    await down.close();
  }
  const none = await gateway(unconfiguredHistory as never);
  try {
    expect(await none.get('/v1/pools/p-1?asOf=2030-01-01T00:00:00Z')).toMatchObject({
      status: 503,
      body: { code: 'HISTORY_UNAVAILABLE', detail: /this gateway has no CAPACITY_HISTORY_URL/ },
    });
  } finally {
    await none.close();
  }
});
