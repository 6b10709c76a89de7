// The console's routes over real HTTP on loopback, with an in-memory read model: the listing, the event
// stream's snapshot, changes, filtering, clean-up on disconnect and on shutdown, and the role guards.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express, { type RequestHandler } from 'express';
import type { Pool } from '../../../src/domain';
import { consoleRoutes, openApiDocument, problemMiddleware } from '../../../src/gateway';
import { createLogger } from '../../../src/observability';
import { AvailabilityIndex, type AvailabilityReadModel } from '../../../src/readmodel';

const DAY = Date.parse('2030-03-04T00:00:00Z');
const pool = (poolId: string, hour: number, over: Partial<Pool> = {}): Pool => ({
  poolId,
  zone: 'north',
  slotStart: DAY + hour * 3_600_000,
  slotEnd: DAY + (hour + 2) * 3_600_000,
  bookableUntil: DAY + (hour - 1) * 3_600_000,
  capacity: 10,
  reserved: 0,
  status: 'open',
  version: 1,
  updatedAt: 0,
  ...over,
});

/** The documented schema of one event of the stream: a oneOf of its events' name and data. */
interface StreamEventSchema {
  oneOf: Array<{ properties: { event: { const: string }; data: { contentSchema: object } } }>;
}

let server: Server;
let base = '';
let index: AvailabilityIndex;
let listeners = 0;
let shutdown: AbortController;
const roles: string[] = [];

beforeEach(async () => {
  index = new AvailabilityIndex();
  listeners = 0;
  const onChange = index.onChange.bind(index);
  index.onChange = (listener) => {
    listeners += 1;
    const unsubscribe = onChange(listener);
    return () => {
      listeners -= 1;
      return unsubscribe();
    };
  };
  const readModel = {
    index,
    status: () => ({ ready: true, lagRecords: 0, asOf: 0, pools: index.size, failed: null, retrying: null }),
  } as unknown as AvailabilityReadModel;
  shutdown = new AbortController();
  roles.length = 0;
  const requireRole =
    (role: string): RequestHandler =>
    (_request, _response, next) => {
      roles.push(role);
      next();
    };
  const app = express();
  app.use('/v1', consoleRoutes({ readModel, requireRole, shutdown: shutdown.signal, statusIntervalMs: 50 }));
  app.use(problemMiddleware(createLogger('silent')));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const range = 'zone=north&from=2030-03-04T00:00:00Z&to=2030-03-05T00:00:00Z';

/** Reads the stream until `pattern` matches all text so far; returns that text. */
async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  pattern: RegExp,
  text = '',
): Promise<string> {
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`ended before ${pattern}: ${text}`);
    text += value;
  }
  return text;
}

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
};

test('the listing has every pool of the zone in the range, closed and full ones too (reader role)', async () => {
  index.apply('a', pool('a', 8, { status: 'closed' }));
  index.apply('b', pool('b', 10, { reserved: 10 }));
  index.apply('c', pool('c', 30));
  const response = await fetch(`${base}/v1/pools?${range}`);
  const body = (await response.json()) as { pools: Array<{ poolId: string; available: number }> };
  expect(body.pools.map((p) => [p.poolId, p.available])).toEqual([
    ['a', 10],
    ['b', 0],
  ]);
  expect(roles).toEqual(['reader']);
  const bad = await fetch(`${base}/v1/pools?zone=north&from=2030-03-05T00:00:00Z&to=2030-03-04T00:00:00Z`);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ detail: 'query.to: must be after from' });
});

test('the stream: snapshot, changes in range only, status events; unsubscribed when the client goes', async () => {
  index.apply('a', pool('a', 8));
  const abort = new AbortController();
  const response = await fetch(`${base}/v1/console/stream?${range}`, { signal: abort.signal });
  expect(roles).toEqual(['planner']);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  let text = await readUntil(reader, /event: snapshot\n.*"poolId":"a".*\n\n/);
  index.apply('south', pool('south', 8, { zone: 'south' }));
  index.apply('later', pool('later', 30));
  index.apply('a', pool('a', 8, { reserved: 1, version: 2 }));
  text = await readUntil(reader, /event: pool\ndata: \{"poolId":"a".*"reserved":1/, text);
  text = await readUntil(reader, /event: status\ndata: \{"ready":true/, text);
  expect(text).not.toContain('south');
  expect(text).not.toContain('later');
  index.apply('a', null);
  await readUntil(reader, /event: removed\ndata: \{"poolId":"a"\}/, text);
  expect(listeners).toBe(1);
  abort.abort();
  await waitFor(() => listeners === 0);
});

test('every event of the stream is one /openapi.json documents: its name and its JSON data', async () => {
  // Found by the fuzz test: the document said each event was a string, and described no event's data.
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  const stream = paths['/v1/console/stream']?.get as {
    responses: Record<string, { content: Record<string, { schema: StreamEventSchema }> }>;
  };
  const documented = stream.responses['200']?.content['text/event-stream']?.schema as StreamEventSchema;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const validateEvent = ajv.compile(documented);
  index.apply('a', pool('a', 8));
  index.apply('b', pool('b', 10));
  const abort = new AbortController();
  const response = await fetch(`${base}/v1/console/stream?${range}`, { signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  let text = await readUntil(reader, /event: snapshot\n.*\n\n/);
  index.apply('a', pool('a', 8, { reserved: 1, version: 2 }));
  index.apply('b', null);
  text = await readUntil(reader, /event: removed\n.*\n\n[\s\S]*event: status\n.*\n\n/, text);
  abort.abort();
  await waitFor(() => listeners === 0);
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [, event = '', data = ''] = /^event: (.*)\ndata: (.*)$/.exec(block) ?? [];
      return { event, data };
    });
  expect(events.map((e) => e.event)).toEqual(
    expect.arrayContaining(['snapshot', 'pool', 'removed', 'status']),
  );
  for (const { event, data } of events) {
    if (!validateEvent({ event, data })) throw new Error(`${event}: ${ajv.errorsText(validateEvent.errors)}`);
    // JSON Schema only annotates contentSchema: check the data against the branch for its event.
    const branch = documented.oneOf.find((b) => b.properties.event.const === event);
    const validateData = ajv.compile(branch?.properties.data.contentSchema ?? false);
    if (!validateData(JSON.parse(data)))
      throw new Error(`${event} data: ${ajv.errorsText(validateData.errors)}\n${data}`);
  }
});

test('shutdown ends open streams, so the server can close', async () => {
  const response = await fetch(`${base}/v1/console/stream?${range}`);
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  await readUntil(reader, /event: snapshot/);
  shutdown.abort();
  for (;;) if ((await reader.read()).done) break;
  await waitFor(() => listeners === 0);
  const late = await fetch(`${base}/v1/console/stream?${range}`);
  expect(late.status).toBe(503);
});
