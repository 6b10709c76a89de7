// Request and response shapes of the HTTP API, in one place: validation uses them, and /openapi.json is
// generated from them, so the documented contract and the checked one cannot differ.
import { z } from 'zod';
import { MAX_CAPACITY, MAX_UNITS, MAX_ZONE_LENGTH, POOL_ID_PATTERN } from '../domain';

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T08:00:00Z',
});
const zone = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_ZONE_LENGTH, `must be at most ${MAX_ZONE_LENGTH} characters`);

const units = z
  .number()
  .int('must be an integer')
  .min(1, 'must be >= 1')
  .max(MAX_UNITS, `must be <= ${MAX_UNITS}`)
  .default(1);

const capacity = z
  .number()
  .int('must be an integer')
  .min(0, 'must be >= 0')
  .max(MAX_CAPACITY, `must be <= ${MAX_CAPACITY}`);

/** An Idempotency-Key header: 1-128 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export const poolIdParam = z
  .string()
  .regex(POOL_ID_PATTERN, "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");

export const definePoolBody = z
  .object({
    zone,
    slotStart: isoTime,
    slotEnd: isoTime,
    capacity,
    bookableUntil: isoTime
      .optional()
      .describe(
        'Reservations are taken before this time, at most slotEnd (it may be inside the slot). Default: ' +
          "slotStart minus the processor's booking cut-off (CAPACITY_BOOKING_CUTOFF_MS, 1 hour). Fixed when " +
          'the pool is defined: a later PUT with another value is 409 POOL_ALREADY_DEFINED.',
      ),
  })
  .refine((b) => Date.parse(b.slotEnd) > Date.parse(b.slotStart), {
    message: 'must be after slotStart',
    path: ['slotEnd'],
  })
  .refine((b) => b.bookableUntil === undefined || Date.parse(b.bookableUntil) <= Date.parse(b.slotEnd), {
    message: 'must not be after slotEnd',
    path: ['bookableUntil'],
  });

export const changeCapacityBody = z.object({ capacity });

export const availabilityBody = z.object({
  zone,
  from: isoTime.optional(),
  to: isoTime.optional(),
  units,
  consistencyToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}:\d{1,15}$/, 'must be "<poolId>:<poolVersion>" as returned by a write')
    .optional()
    .describe('Wait (bounded) until the read model includes this write: "<poolId>:<poolVersion>".'),
});

export const reserveBody = z.object({
  poolId: poolIdParam,
  units,
});

export const minVersionQuery = z.object({
  minVersion: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').optional(),
});

export const poolResponse = z.object({
  poolId: z.string(),
  zone: z.string(),
  slotStart: z.string().describe('ISO-8601'),
  slotEnd: z.string().describe('ISO-8601'),
  bookableUntil: z
    .string()
    .describe('ISO-8601: reservations are taken before this time (409 BOOKING_CLOSED from then on)'),
  capacity: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int().min(0),
  status: z.enum(['open', 'closed', 'expired']),
  version: z.number().int().min(1),
});

export const availabilityResponse = z.object({
  asOf: z.string().describe('ISO-8601: when the read model was last known to be current'),
  lagRecords: z.number().int().min(0),
  pools: z.array(poolResponse),
});

export const reservationResponse = z.object({
  reservationId: z.string(),
  poolId: z.string(),
  units: z
    .number()
    .int()
    .min(1)
    .describe('Units the reservation holds (or held): on a replay, the original ones'),
  status: z
    .enum(['reserved', 'released'])
    .describe('released when a replayed reserve finds its reservation already released'),
  poolVersion: z.number().int().min(1),
});

export const releaseResponse = z.object({
  reservationId: z.string(),
  poolId: z.string(),
  status: z.literal('released'),
  poolVersion: z.number().int().min(1),
});

export const problemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable machine-readable code, e.g. INSUFFICIENT_CAPACITY'),
  requestId: z.string(),
  commandId: z.string().optional(),
});

export const healthResponse = z.object({ status: z.string() }).loose();
