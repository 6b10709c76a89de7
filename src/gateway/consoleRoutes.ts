// The planner console's API: every pool of a zone in a range (the availability query leaves out full and
// closed ones) and a server-sent-event stream of pool changes as the read model applies them. (A pool's
// history is historyRoutes.ts, from the warehouse: ADR 12.) Each route states the role it needs.
import { Router, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Pool } from '../domain';
import type { AvailabilityReadModel } from '../readmodel';
import { principalOf } from './accessControl';
import { zoneRangeQuery } from './consoleSchemas';
import { HttpProblem, RETRY_AFTER_SECONDS, validationProblem } from './problems';
import { poolView } from './routes';
import { CoalescingStream, encodeSseEvent, sseComment } from './sse';

/** What the gateway process gives the console routes beyond the read model. */
export interface ConsoleDeps {
  /** Aborted when the gateway stops: open streams end so the server can close. */
  readonly shutdown?: AbortSignal;
  readonly statusIntervalMs?: number;
  readonly keepAliveMs?: number;
}

export interface ConsoleRouteDeps extends ConsoleDeps {
  readonly readModel: AvailabilityReadModel;
  readonly requireRole: (role: 'reader' | 'orders' | 'planner') => RequestHandler;
}

/** Streams open at once per gateway, at most: each holds a socket and a listener on every change. */
const MAX_STREAMS = 200;
/** Pools one congested stream may hold back before it is ended (the client reconnects to a snapshot). */
const MAX_PENDING_PER_STREAM = 2000;

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

const busy = (what: string) =>
  new HttpProblem(503, 'OVERLOADED', what, {}, { 'retry-after': String(RETRY_AFTER_SECONDS) });

export function consoleRoutes(deps: ConsoleRouteDeps): Router {
  const router = Router();
  const { readModel } = deps;
  const reader = deps.requireRole('reader');
  const planner = deps.requireRole('planner');
  const streams = new Set<Response>();

  const statusView = () => {
    const status = readModel.status();
    return { ...status, asOf: new Date(status.asOf).toISOString() };
  };
  const rangeOf = (query: unknown) => {
    const q = parse(zoneRangeQuery, query, 'query');
    return { zone: q.zone, from: Date.parse(q.from), to: Date.parse(q.to) };
  };

  router.get('/console/session', planner, (_request, response) => {
    const principal = principalOf(response);
    response.json({ name: principal?.name ?? 'anonymous', roles: [...(principal?.roles ?? [])] });
  });

  router.get('/pools', reader, (request, response) => {
    const { zone, from, to } = rangeOf(request.query);
    const status = readModel.status();
    response.json({
      asOf: new Date(status.asOf).toISOString(),
      lagRecords: status.lagRecords,
      ready: status.ready,
      pools: readModel.index.inRange(zone, from, to).map(poolView),
    });
  });

  router.get('/console/stream', planner, (request, response) => {
    const { zone, from, to } = rangeOf(request.query);
    if (streams.size >= MAX_STREAMS) throw busy(`${MAX_STREAMS} console streams are open on this gateway`);
    if (deps.shutdown?.aborted) throw busy('the gateway is stopping');
    response.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    streams.add(response);
    const stream = new CoalescingStream(response, MAX_PENDING_PER_STREAM, () => response.destroy());
    const inRange = (pool: Pool) => pool.zone === zone && pool.slotStart >= from && pool.slotStart < to;
    // Snapshot and subscription happen in one synchronous step: no change can fall between them.
    const sent = new Set<string>();
    const unsubscribe = readModel.index.onChange((poolId, pool) => {
      if (pool && inRange(pool)) {
        sent.add(poolId);
        stream.send(`pool:${poolId}`, encodeSseEvent('pool', poolView(pool)));
      } else if (sent.delete(poolId)) {
        stream.send(`pool:${poolId}`, encodeSseEvent('removed', { poolId }));
      }
    });
    const pools = readModel.index.inRange(zone, from, to);
    for (const pool of pools) sent.add(pool.poolId);
    stream.send('snapshot', encodeSseEvent('snapshot', { ...statusView(), pools: pools.map(poolView) }));
    const status = setInterval(
      () => stream.send('status', encodeSseEvent('status', statusView())),
      deps.statusIntervalMs ?? 2000,
    );
    const keepAlive = setInterval(
      () => stream.send('keep-alive', sseComment('keep-alive')),
      deps.keepAliveMs ?? 15_000,
    );
    const end = () => response.end();
    deps.shutdown?.addEventListener('abort', end, { once: true });
    response.once('close', () => {
      unsubscribe();
      clearInterval(status);
      clearInterval(keepAlive);
      stream.close();
      streams.delete(response);
      deps.shutdown?.removeEventListener('abort', end);
    });
  });

  return router;
}
export { consoleStatic } from './consoleStatic';
