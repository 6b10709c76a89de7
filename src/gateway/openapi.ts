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
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const poolIdParameter = { name: 'poolId', in: 'path', required: true, schema: json(s.poolIdParam, 'input') };
const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 128 },
  description: 'Retries with the same key get the original outcome.',
};
const common = {
  '400': problem('invalid request (the detail names the field)'),
  '503': problem('Kafka, registry or read model unavailable'),
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
          parameters: [idempotencyHeader],
          requestBody: body(s.reserveBody),
          responses: {
            '201': ok('reserved (also for a replay with the same Idempotency-Key)', s.reservationResponse),
            '404': problem('POOL_NOT_FOUND'),
            '409': problem('INSUFFICIENT_CAPACITY or POOL_CLOSED'),
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
