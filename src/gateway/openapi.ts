// /openapi.json, generated from the same zod schemas the routes validate with.
import { z } from 'zod';
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
  schema: { type: 'string', maxLength: 128 },
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

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Capacity reservation service',
      version: '1.0.0',
      description: 'Delivery-slot capacity pools: define, reserve, release, and query availability.',
    },
    paths: {
      '/v1/pools/{poolId}': {
        put: {
          summary: 'Define a pool, or change the capacity of an existing one (same zone and slot)',
          parameters: [poolIdParameter, idempotencyHeader],
          requestBody: body(s.definePoolBody),
          responses: {
            '201': ok('pool created', s.poolResponse),
            '200': ok('capacity changed or unchanged', s.poolResponse),
            '409': problem('POOL_ALREADY_DEFINED with another zone or slot, or POOL_CLOSED'),
            ...common,
          },
        },
        get: {
          summary: 'A pool as the read model has it',
          parameters: [
            poolIdParameter,
            {
              name: 'minVersion',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 0 },
              description: 'Wait (bounded) until the pool reaches this version.',
            },
          ],
          responses: { '200': ok('the pool', s.poolResponse), '404': problem('POOL_NOT_FOUND'), ...common },
        },
      },
      '/v1/pools/{poolId}/close': {
        post: {
          summary: 'Close a pool: no more reservations, releases still work',
          parameters: [poolIdParameter, idempotencyHeader],
          responses: {
            '200': ok('the closed pool', s.poolResponse),
            '404': problem('POOL_NOT_FOUND'),
            ...common,
          },
        },
      },
      '/v1/availability': {
        post: {
          summary: 'Open pools in a zone with room, by slot start',
          requestBody: body(s.availabilityBody),
          responses: { '200': ok('matching pools', s.availabilityResponse), ...common },
        },
      },
      '/v1/reservations': {
        post: {
          summary: 'Reserve units in a pool',
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
            '409': problem('INSUFFICIENT_CAPACITY or POOL_CLOSED'),
            '422': problem('IDEMPOTENCY_KEY_REUSED: the key already names a reservation of other units'),
            ...common,
          },
        },
      },
      '/v1/reservations/{reservationId}': {
        delete: {
          summary: 'Release a reservation (idempotent)',
          parameters: [
            { name: 'reservationId', in: 'path', required: true, schema: { type: 'string' } },
            idempotencyHeader,
          ],
          responses: {
            '200': ok('released (also on repeat)', s.releaseResponse),
            '404': problem('RESERVATION_NOT_FOUND'),
            ...common,
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
    components: { schemas: { Problem: json(s.problemResponse) } },
  };
}
