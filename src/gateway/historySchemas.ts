// Shapes of the pool history answers (ADR 12): the connector's internal endpoint and the gateway's
// /v1/pools/{poolId}/history and /v1/pools/{poolId}?asOf= share them; the gateway checks what the connector
// sends against them before passing it on, and /openapi.json is generated from them.
import { z } from 'zod';

export const MAX_HISTORY_LIMIT = 10_000;

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-12-01T10:42:00Z',
});

export const historyQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be >= 1')
    .max(MAX_HISTORY_LIMIT, `must be <= ${MAX_HISTORY_LIMIT}`)
    .optional()
    .describe('The newest events at most (default 1,000); they are still returned oldest first'),
});

export const asOfQuery = z.object({
  asOf: isoTime.optional(),
  minVersion: z.unknown().optional(),
});

export const warehouseProgress = z
  .object({
    kind: z.enum(['duckdb', 'postgres']),
    partition: z.number().int().min(0).describe("The pool's journal partition"),
    loadedOffset: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('Next offset of that partition the warehouse will load: it holds everything before it'),
    lagRecords: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('Records of that partition not yet in the warehouse, as the connector last saw the journal'),
    loadedAt: z
      .string()
      .nullable()
      .describe('ISO-8601: when the connector last stored a batch of that partition'),
  })
  .describe('How far the warehouse has loaded the journal: a fresh answer has lagRecords 0');

const detailValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const historyEvent = z.object({
  version: z.number().int().min(1).describe("The pool's version after the event"),
  type: z
    .string()
    .describe(
      'PoolDefined, CapacityChanged, CapacityReserved, CapacityReleased, PoolClosed, or a type this version does not know',
    ),
  occurredAt: z.string().describe('ISO-8601'),
  commandId: z.string().describe('The command that caused it (the Command-Id header of the write)'),
  details: z
    .record(z.string(), detailValue)
    .describe("The event's own fields; times (slotStart, slotEnd) as epoch milliseconds"),
  partition: z.number().int().min(0).describe('Journal partition'),
  offset: z.number().int().min(0).describe('Offset in the journal partition'),
});

export const historyResponse = z.object({
  poolId: z.string(),
  events: z.array(historyEvent).describe('Journal order, oldest first (version order within a lifetime)'),
  complete: z.boolean().describe('False when older events exist than the first one here (see limit)'),
  warehouse: warehouseProgress,
});

/**
 * What the gateway checks of the connector's history answer before passing it on: every field, but each
 * event only for its version and type (a full check of 1,000 events cost more than the warehouse lookup).
 */
export const historyResponseChecked = historyResponse.extend({
  events: z.array(z.object({ version: z.number().int(), type: z.string() }).loose()),
});

export const poolAsOfResponse = z.object({
  poolId: z.string(),
  zone: z.string(),
  slotStart: z.string().describe('ISO-8601'),
  slotEnd: z.string().describe('ISO-8601'),
  capacity: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int().min(0),
  status: z.string().describe('open or closed (as the domain folds it)'),
  version: z.number().int().min(1).describe('The version the pool had at asOf'),
  updatedAt: z.string().describe('ISO-8601: the time of that version'),
  reservations: z.number().int().min(0).describe('Reservations held at asOf'),
  asOf: z.string().describe('ISO-8601: the instant asked about'),
  eventsApplied: z.number().int().min(0),
  skipped: z
    .array(z.object({ version: z.number().int(), type: z.string(), reason: z.string() }))
    .describe('Events up to asOf this version could not fold (an event type it does not know)'),
  warehouse: warehouseProgress,
});

export type HistoryResponse = z.infer<typeof historyResponse>;
export type PoolAsOfResponse = z.infer<typeof poolAsOfResponse>;
