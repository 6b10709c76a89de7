// Request and response shapes of the planner console's API (pool listing, the change stream; pool
// history is historySchemas.ts), kept apart from httpSchemas.ts so the console's additions stay in one place.
import { z } from 'zod';
import { MAX_ZONE_LENGTH } from '../domain';
import { poolResponse } from './httpSchemas';

/** The longest range a listing or a stream may cover: a week view with margin, and a bound on its size. */
export const MAX_RANGE_DAYS = 31;

const isoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T00:00:00Z',
});

export const zoneRangeQuery = z
  .object({
    zone: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_ZONE_LENGTH, `must be at most ${MAX_ZONE_LENGTH} characters`),
    from: isoTime.describe('Slot start at or after (inclusive)'),
    to: isoTime.describe('Slot start before (exclusive)'),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_DAYS * 86_400_000, {
    message: `must be at most ${MAX_RANGE_DAYS} days after from`,
    path: ['to'],
  });

export const readModelStatusResponse = z.object({
  ready: z.boolean().describe('The read model has caught up with the changelog seen at start-up'),
  lagRecords: z.number().int().min(0).describe('Changelog records not yet applied'),
  asOf: z.string().describe('ISO-8601: when the read model was last known to be current'),
  pools: z.number().int().min(0),
  failed: z.string().nullable(),
  retrying: z.string().nullable(),
});

/** The data (JSON) of the stream's events: `snapshot` first, `pool` and `removed` per change, `status`. */
export const snapshotEvent = readModelStatusResponse.extend({
  pools: z.array(poolResponse).describe('Every pool of the zone in the range, as GET /v1/pools lists them'),
});
export const removedEvent = z.object({ poolId: z.string() });

export const poolListResponse = z.object({
  asOf: z.string().describe('ISO-8601: when the read model was last known to be current'),
  lagRecords: z.number().int().min(0),
  ready: z.boolean().describe('False while the read model is still loading: the list may be incomplete'),
  pools: z.array(poolResponse).describe('Every pool of the zone in the range, full and closed ones too'),
});

export const sessionResponse = z.object({
  name: z.string().describe('Who the credentials belong to'),
  roles: z.array(z.string()),
});
