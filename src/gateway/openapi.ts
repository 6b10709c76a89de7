// /openapi.json, generated from the same zod schemas the routes validate with.
import { z } from 'zod';
import { RESERVATION_ID_PATTERN } from '../domain';
import { consolePaths } from './consoleOpenApi';
import * as hs from './historySchemas';
import * as s from './httpSchemas';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};
const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: json(schema, 'input') } },
});
const ok = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema: json(schema) } },
});
const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', minimum: 1 },
  },
};
const poolIdParameter = { name: 'poolId', in: 'path', required: true, schema: json(s.poolIdParam, 'input') };
const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 128, pattern: s.IDEMPOTENCY_KEY_PATTERN.source },
  description:
    'Retries with the same key get the original outcome. Without one the gateway uses a new random key, so ' +
    'the request is not idempotent: retrying it is a new request (for a reserve, a second reservation). ' +
    'The key used is returned in the Idempotency-Key response header.',
};
const reserveKeyHeader = {
  ...idempotencyHeader,
  description:
    'Identifies one reservation in the pool: a retry with the same key and units returns that reservation ' +
    '(200, with its actual units and status, even if released since); the same key with other units is ' +
    '422 IDEMPOTENCY_KEY_REUSED. A reserve WITHOUT a key is a new reservation every time: a retry after a ' +
    'timeout or a lost response reserves again. Send a key (e.g. the order id) whenever you may retry; the ' +
    'key used (generated when absent) is returned in the Idempotency-Key response header.',
};
/** Any operation with a body: express.json's limit. */
const tooLarge = { '413': problem('PAYLOAD_TOO_LARGE: the body is larger than 16 kB') };
/** A command for an expired pool (ADR 12): the pool is history, a new slot needs a new pool id. */
const gone = {
  '410': problem('POOL_EXPIRED: the pool expired after its slot ended; define the slot under a new pool id'),
};
const common = {
  '400': problem('invalid request (the detail names the field)'),
  '503': problem(
    'Kafka, registry or read model unavailable, Kafka not acknowledging the command in time (SEND_TIMEOUT), ' +
      'or OVERLOADED: too many write commands in flight in this gateway. Retry after the Retry-After header ' +
      '(seconds); for writes, with the same Idempotency-Key.',
    retryAfter,
  ),
  '504': problem('no result in time; retry with the same Idempotency-Key'),
};

/**
 * The operation needs `role` (or a role that includes it): an API key or a JWT. 401/403 are declared on
 * every guarded operation.
 */
const needs = (role: 'reader' | 'orders' | 'planner') => ({
  security: [{ apiKey: [] }, { bearer: [] }],
  'x-required-role': role,
});
const denied = {
  '401': problem('UNAUTHENTICATED: no credentials, or an unknown key or an invalid token'),
  '403': problem('FORBIDDEN: the credentials lack the role this operation needs'),
};
/** The responses of every /v1 operation: validation, access control, availability. */
const v1 = { ...common, ...denied };
const securitySchemes = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'An API key with a role: reader (availability and pool reads), orders (reserve, release, and reads), planner (define pools, change capacity, close, and reads).',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A JWT from the organisation's identity provider (CAPACITY_JWT_JWKS_URL), with the configured issuer and audience and the role in its role claim.",
  },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Capacity reservation service',
      version: '1.0.0',
      description: 'Delivery-slot capacity pools: define, reserve, release, and query availability.',
    },
    paths: {
      ...consolePaths({ ok, problem, needs, v1, poolIdParameter, json: (schema) => json(schema) }),
      '/v1/pools/{poolId}': {
        put: {
          summary: 'Define a pool, or change the capacity of an existing one (same zone and slot)',
          ...needs('planner'),
          parameters: [poolIdParameter, idempotencyHeader],
          requestBody: body(s.definePoolBody),
          responses: {
            '201': ok('pool created', s.poolResponse),
            '200': ok('capacity changed or unchanged', s.poolResponse),
            '409': problem(
              'POOL_ALREADY_DEFINED with another zone, slot or bookableUntil; POOL_CLOSED; or SLOT_ENDED: ' +
                'the slot has ended (a new pool, or a capacity change of an existing one)',
            ),
            ...gone,
            ...tooLarge,
            ...v1,
          },
        },
        get: {
          summary:
            'A pool as the read model has it, or with asOf as it was at that instant (from the warehouse)',
          description:
            'Without asOf: the current state from the read model. With asOf: the pool folded from its events ' +
            'up to that instant, answered by the warehouse connector (ADR 12); `warehouse` says how far it has ' +
            'loaded the journal. 404 when the pool did not exist yet then (or the warehouse has not loaded it).',
          ...needs('reader'),
          parameters: [
            poolIdParameter,
            {
              name: 'minVersion',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 0 },
              description: 'Wait (bounded) until the pool reaches this version. Not with asOf.',
            },
            {
              name: 'asOf',
              in: 'query',
              required: false,
              schema: { type: 'string', format: 'date-time' },
              description: 'ISO-8601 date-time with a zone: the pool as it was then (from the warehouse).',
            },
          ],
          responses: {
            '200': {
              description:
                'the pool (with asOf: as it was then, with asOf, updatedAt and warehouse progress)',
              content: {
                'application/json': {
                  schema: { anyOf: [json(s.poolResponse), json(hs.poolAsOfResponse)] },
                },
              },
            },
            '404': problem('POOL_NOT_FOUND (with asOf: the pool did not exist yet at that instant)'),
            ...v1,
            '503': problem(
              'as for every operation; with asOf also HISTORY_UNAVAILABLE: the warehouse connector ' +
                '(CAPACITY_HISTORY_URL) is not configured, not reachable or cannot query its warehouse',
              retryAfter,
            ),
          },
        },
        patch: {
          summary:
            "Change a pool's capacity (below what is reserved is allowed: no new reservations until releases)",
          ...needs('planner'),
          parameters: [poolIdParameter, idempotencyHeader],
          requestBody: body(s.changeCapacityBody),
          responses: {
            '200': ok('the pool with its new capacity (also when unchanged)', s.poolResponse),
            '404': problem('POOL_NOT_FOUND'),
            '409': problem('POOL_CLOSED, or SLOT_ENDED: the slot has ended, its capacity is settled'),
            ...gone,
            ...tooLarge,
            ...v1,
          },
        },
      },
      '/v1/pools/{poolId}/history': {
        get: {
          summary: "A pool's events from the warehouse, oldest first, with versions, times and command ids",
          description:
            'Answered by the warehouse connector (ADR 12): an index lookup of the pool in capacity_events, not a ' +
            'scan of the journal. `limit` keeps the newest events (`complete` false when older ones exist); ' +
            '`warehouse` says how far the warehouse has loaded the journal.',
          ...needs('reader'),
          parameters: [
            poolIdParameter,
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: hs.MAX_HISTORY_LIMIT },
              description: 'The newest events at most (default 1,000)',
            },
          ],
          responses: {
            '200': ok('the events', hs.historyResponse),
            '404': problem('POOL_NOT_FOUND: the warehouse holds no event of the pool'),
            ...v1,
            '503': problem(
              'HISTORY_UNAVAILABLE: the warehouse connector (CAPACITY_HISTORY_URL) is not configured, not ' +
                'reachable or cannot query its warehouse; OVERLOADED: too many history reads at once',
              retryAfter,
            ),
          },
        },
      },
      '/v1/pools/{poolId}/close': {
        post: {
          summary: 'Close a pool: no more reservations, releases still work',
          ...needs('planner'),
          parameters: [poolIdParameter, idempotencyHeader],
          responses: {
            '200': ok('the closed pool', s.poolResponse),
            '404': problem('POOL_NOT_FOUND'),
            ...gone,
            ...v1,
          },
        },
      },
      '/v1/availability': {
        post: {
          summary: 'Open pools in a zone with room, still before their booking cut-off, by slot start',
          ...needs('reader'),
          requestBody: body(s.availabilityBody),
          responses: { '200': ok('matching pools', s.availabilityResponse), ...tooLarge, ...v1 },
        },
      },
      '/v1/reservations': {
        post: {
          summary: 'Reserve units in a pool',
          ...needs('orders'),
          description:
            'Reserves `units` in the pool under the Idempotency-Key. Always send a key when you may retry: ' +
            'a reserve without one is a new reservation each time.',
          parameters: [reserveKeyHeader],
          requestBody: body(s.reserveBody),
          responses: {
            '201': ok('reserved by this request', s.reservationResponse),
            '200': ok(
              'a replay (same Idempotency-Key and units): the reservation as it is now, status reserved or released',
              s.reservationResponse,
            ),
            '404': problem('POOL_NOT_FOUND'),
            '409': problem(
              'INSUFFICIENT_CAPACITY, POOL_CLOSED, or BOOKING_CLOSED: the pool is past its bookableUntil ' +
                '(a retry of an existing reservation is still answered 200)',
            ),
            ...gone,
            '422': problem('IDEMPOTENCY_KEY_REUSED: the key already names a reservation of other units'),
            ...tooLarge,
            ...v1,
          },
        },
      },
      '/v1/reservations/{reservationId}': {
        delete: {
          summary: 'Release a reservation (idempotent)',
          ...needs('orders'),
          parameters: [
            {
              name: 'reservationId',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: RESERVATION_ID_PATTERN.source },
              description: 'As a reserve returned it: r1.<poolId>.<32 hex digits>',
            },
            idempotencyHeader,
          ],
          responses: {
            '200': ok('released (also on repeat)', s.releaseResponse),
            '404': problem('RESERVATION_NOT_FOUND'),
            '409': problem(
              'SLOT_ENDED: the slot has ended, its reservations are settled (a repeat of a release is still 200)',
            ),
            ...gone,
            ...v1,
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness',
          responses: { '200': ok('alive', s.healthResponse), '503': ok('broken', s.healthResponse) },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the read model has caught up with start-up end offsets',
          responses: { '200': ok('ready', s.healthResponse), '503': ok('not ready', s.healthResponse) },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'text exposition format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
    },
    components: { schemas: { Problem: json(s.problemResponse) }, securitySchemes },
  };
}
