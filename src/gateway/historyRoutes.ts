// Pool history from the warehouse (ADR 12): GET /v1/pools/{poolId}/history and GET /v1/pools/{poolId}?asOf=,
// both for the reader role (ADR 11: pool reads). The gateway checks the caller, then asks the connector.
// Without asOf, GET /v1/pools/{poolId} is left to the read-model route (routes.ts), unchanged.
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { PoolHistorySource } from './historyClient';
import { asOfQuery, historyQuery } from './historySchemas';
import { poolIdParam } from './httpSchemas';
import { HttpProblem, RETRY_AFTER_SECONDS, validationProblem } from './problems';

/** History reads waiting for the connector at once, per gateway: each is a warehouse query. */
export const MAX_HISTORY_READS = 16;

export interface HistoryRouteDeps {
  readonly history: PoolHistorySource;
  readonly requireRole: (role: 'reader' | 'orders' | 'planner') => RequestHandler;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

export function historyRoutes(deps: HistoryRouteDeps): Router {
  const router = Router();
  const reader = deps.requireRole('reader');
  let reads = 0;

  const bounded = async <T>(read: () => Promise<T>): Promise<T> => {
    if (reads >= MAX_HISTORY_READS)
      throw new HttpProblem(
        503,
        'OVERLOADED',
        `${MAX_HISTORY_READS} pool history reads are already waiting for the warehouse; retry shortly`,
        {},
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    reads += 1;
    try {
      return await read();
    } finally {
      reads -= 1;
    }
  };

  router.get('/pools/:poolId/history', reader, async (request, response) => {
    const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
    const { limit } = parse(historyQuery, request.query, 'query');
    response.json(await bounded(() => deps.history.history(poolId, limit)));
  });

  // Only with asOf: the current state stays the read model's (routes.ts), so `next('route')` otherwise.
  router.get(
    '/pools/:poolId',
    (request, _response, next) => next(request.query.asOf === undefined ? 'route' : undefined),
    reader,
    async (request, response) => {
      const poolId = parse(poolIdParam, request.params.poolId, 'poolId');
      const { asOf, minVersion } = parse(asOfQuery, request.query, 'query');
      if (minVersion !== undefined)
        throw new HttpProblem(400, 'INVALID_REQUEST', 'query: asOf and minVersion cannot be combined');
      response.json(await bounded(() => deps.history.asOf(poolId, asOf as string)));
    },
  );

  return router;
}
