// The planner console's operations in /openapi.json, built with openapi.ts's helpers so they read like
// the rest of the document.
import type { z } from 'zod';
import * as c from './consoleSchemas';
import { poolResponse } from './httpSchemas';

export interface OpenApiHelpers {
  readonly ok: (description: string, schema: z.ZodType) => Record<string, unknown>;
  readonly problem: (description: string) => Record<string, unknown>;
  readonly needs: (role: 'reader' | 'orders' | 'planner') => Record<string, unknown>;
  /** The responses every /v1 operation may give (400, 401, 403, 503, 504). */
  readonly v1: Record<string, unknown>;
  readonly poolIdParameter: Record<string, unknown>;
  /** A zod schema as JSON Schema. */
  readonly json: (schema: z.ZodType) => Record<string, unknown>;
}

const query = (name: string, description: string, schema: Record<string, unknown>, required = true) => ({
  name,
  in: 'query',
  required,
  schema,
  description,
});
const rangeParameters = [
  query('zone', 'The delivery zone', { type: 'string', minLength: 1, maxLength: 64 }),
  query('from', 'Slot start at or after (ISO-8601, inclusive)', { type: 'string', format: 'date-time' }),
  query('to', `Slot start before (ISO-8601, exclusive); at most ${c.MAX_RANGE_DAYS} days after from`, {
    type: 'string',
    format: 'date-time',
  }),
];

/**
 * One event of the stream, as OpenAPI 3.2's itemSchema and tools such as schemathesis read the schema of
 * text/event-stream: its name (`event`) and its `data`, a JSON document.
 */
const streamEvent = (h: OpenApiHelpers, event: string, data: z.ZodType) => ({
  type: 'object',
  required: ['event', 'data'],
  properties: {
    event: { const: event },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: h.json(data) },
  },
});

export function consolePaths(h: OpenApiHelpers): Record<string, unknown> {
  return {
    '/v1/pools': {
      get: {
        summary:
          'Every pool of a zone whose slot starts in [from, to), full and closed ones too, by slot start',
        ...h.needs('reader'),
        parameters: rangeParameters,
        responses: { '200': h.ok('the pools', c.poolListResponse), ...h.v1 },
      },
    },
    '/v1/console/stream': {
      get: {
        summary:
          'Server-sent events: the pools of a zone and range, then each change as the read model applies it',
        description:
          'Events: `snapshot` (read-model status and `pools`), `pool` (one pool, as GET /v1/pools/{poolId}), ' +
          '`removed` (`{poolId}`), `status` (the read model: ready, lagRecords, asOf) every 2 s, and a ' +
          'keep-alive comment every 15 s. A reader that falls far behind is disconnected and should reconnect ' +
          '(a new snapshot). Send the credentials as headers: read it with fetch, not EventSource.',
        ...h.needs('planner'),
        parameters: rangeParameters,
        responses: {
          '200': {
            description: 'the event stream',
            content: {
              'text/event-stream': {
                schema: {
                  description: 'One event of the stream (keep-alive comments are not events)',
                  oneOf: [
                    streamEvent(h, 'snapshot', c.snapshotEvent),
                    streamEvent(h, 'pool', poolResponse),
                    streamEvent(h, 'removed', c.removedEvent),
                    streamEvent(h, 'status', c.readModelStatusResponse),
                  ],
                },
              },
            },
          },
          ...h.v1,
        },
      },
    },
    '/v1/console/session': {
      get: {
        summary: 'Who the credentials belong to, if they may use the planner console (planner role)',
        ...h.needs('planner'),
        responses: { '200': h.ok('the caller', c.sessionResponse), ...h.v1 },
      },
    },
  };
}
