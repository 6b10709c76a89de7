// The connector's internal read endpoint for pool history (ADR 12), on its metrics/health port (loopback by
// default; the gateway calls it after its own access control):
//   GET /history/{poolId}[?limit=N]   the pool's events in journal order (the newest N; default 1,000)
//   GET /history/{poolId}?asOf=<ISO>  the pool folded up to that instant
// Answers JSON; errors are {code, detail} with 400 (bad parameter), 404 (no such pool in the warehouse,
// or not yet at that instant) or 503 (the warehouse is not open, or a query failed).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../errors';
import type { ExtraRoute, HealthReport, Logger } from '../observability';
import {
  MAX_HISTORY_EVENTS,
  PoolHistoryQuery,
  PoolNotInWarehouseError,
  WarehouseNotOpenError,
  type HistorySourceDeps,
} from './historyQuery';

/** What a pool id may be (the domain's POOL_ID_PATTERN; checked again here, the endpoint is a boundary). */
const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const isLoopback = (address: string | undefined) =>
  address !== undefined && /^(127\.|::1$|::ffff:127\.)/.test(address);

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const problem = (response: ServerResponse, status: number, code: string, detail: string) =>
  send(response, status, { code, detail });

/** Parses `asOf`: an ISO-8601 date-time with a zone; null if absent, NaN if malformed. */
export function parseAsOf(value: string | null): number | null {
  if (value === null) return null;
  return ISO_TIME.test(value) ? Date.parse(value) : NaN;
}

type Position = { key: string; nextOffset: number; lag: number };

/**
 * The connector's history route: its warehouse and its positions (the health report's), with the lookup
 * indexes created at once (in the background: the first answers may wait for them).
 */
export function poolHistoryRoute(
  deps: Omit<HistorySourceDeps, 'positions'> & { readonly report: () => HealthReport },
): ExtraRoute {
  const query = new PoolHistoryQuery({
    ...deps,
    positions: () => {
      const positions = deps.report().positions;
      return Array.isArray(positions) ? (positions as Position[]) : [];
    },
  });
  void query.ensureIndexes();
  return historyRoute(query, deps.logger);
}

export function historyRoute(query: PoolHistoryQuery, logger: Logger): ExtraRoute {
  return (path: string, request: IncomingMessage, response: ServerResponse) => {
    const match = /^\/history\/([^/]+)$/.exec(path);
    if (!match) return false;
    // Pool history is access-controlled by the gateway: never answer a caller from another host, even
    // when the port listens on every interface (CAPACITY_HTTP_HOST=0.0.0.0 in a container).
    if (!isLoopback(request.socket.remoteAddress)) {
      problem(response, 403, 'FORBIDDEN', 'pool history is served to loopback callers only (the gateway)');
      return true;
    }
    if (request.method !== 'GET') {
      problem(response, 405, 'METHOD_NOT_ALLOWED', 'only GET');
      return true;
    }
    void answer(query, logger, decodeURIComponent(match[1] as string), request, response);
    return true;
  };
}

async function answer(
  query: PoolHistoryQuery,
  logger: Logger,
  poolId: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const params = new URL(request.url ?? '/', 'http://connector').searchParams;
  if (!POOL_ID.test(poolId))
    return problem(
      response,
      400,
      'INVALID_REQUEST',
      "poolId: must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'",
    );
  const asOf = parseAsOf(params.get('asOf'));
  if (asOf !== null && Number.isNaN(asOf))
    return problem(
      response,
      400,
      'INVALID_REQUEST',
      'asOf: must be an ISO-8601 date-time, e.g. 2026-12-01T10:42:00Z',
    );
  const limitText = params.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_HISTORY_EVENTS))
    return problem(
      response,
      400,
      'INVALID_REQUEST',
      `limit: must be an integer between 1 and ${MAX_HISTORY_EVENTS}`,
    );
  try {
    send(response, 200, asOf === null ? await query.history(poolId, limit) : await query.asOf(poolId, asOf));
  } catch (error) {
    if (error instanceof PoolNotInWarehouseError)
      return problem(response, 404, 'POOL_NOT_FOUND', error.message);
    if (!(error instanceof WarehouseNotOpenError))
      logger.error({ err: describeError(error), poolId }, 'history query failed');
    problem(response, 503, 'WAREHOUSE_UNAVAILABLE', `the warehouse query failed: ${describeError(error)}`);
  }
}
