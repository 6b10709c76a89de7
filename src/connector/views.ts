// The analyst views and the indexes over the two tables, in SQL that PostgreSQL and DuckDB both accept (no
// named WINDOW clause, no IGNORE NULLS, explicit ROWS frames: Redshift reads it too). Created at every
// connector start, after the tables: `CREATE OR REPLACE VIEW`, `CREATE INDEX IF NOT EXISTS`.
import type { SqlType } from './tables';

/**
 * `bookable_until` as a TIMESTAMP. The column is created as TIMESTAMP; a warehouse whose connector met a
 * PoolDefined with `bookableUntil` before it knew the field has it as BIGINT epoch milliseconds (schema
 * evolution), converted here with arithmetic both dialects accept (INTEGER minutes: no overflow).
 */
function bookableUntilOf(type: SqlType): string {
  if (type === 'TIMESTAMP') return 'bookable_until';
  return (
    "TIMESTAMP '1970-01-01 00:00:00'" +
    " + CAST((bookable_until - MOD(bookable_until, 60000)) / 60000 AS INTEGER) * INTERVAL '1 minute'" +
    " + CAST(MOD(bookable_until, 60000) AS INTEGER) * INTERVAL '1 millisecond'"
  );
}

const running = 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
const byVersion = `PARTITION BY pool_id, lifetime ORDER BY version ${running}`;
const definedOnly = (column: string) =>
  `MAX(CASE WHEN event_type = 'PoolDefined' THEN ${column} END) OVER (PARTITION BY pool_id, lifetime)`;

/**
 * Every version of every pool, folded from the journal alone (`capacity_events`, kept forever) with window
 * functions, the way the domain's `evolve` folds it: the compaction of `pool-state` cannot lose any of them.
 *
 * - `lifetime` numbers the pool's definitions (1, 2, ... in journal order): a pool id may be defined again
 *   once its expiry marker is gone, and the new pool starts at version 1 with nothing reserved.
 * - `capacity` is the last non-null capacity up to the version (PoolDefined, CapacityChanged): the rows up
 *   to it are grouped by how many capacities they have seen (COUNT ignores NULLs), and each group's one
 *   capacity is taken (PostgreSQL has no IGNORE NULLS).
 * - `reserved` is the running sum of reserved minus released units; `available` = max(0, capacity -
 *   reserved), as `availableOf`.
 * - `status`: 'expired' from a PoolExpired on, else 'closed' from a PoolClosed on, else 'open'.
 * - `valid_to` is the next version's `occurred_at`; NULL for the latest.
 * Undecodable rows (no version) are left out, by the outermost WHERE: a filter on the table itself next to
 * `pool_id = ?` would keep DuckDB from using its index (it sorts them last in every window, where they
 * change nothing). An event type this connector does not know is a version that changes nothing but the
 * version (its `event_type` says what it was).
 */
export function poolVersionsViewSql(bookableUntilType: SqlType = 'TIMESTAMP'): string {
  return `CREATE OR REPLACE VIEW pool_versions AS
SELECT pool_id, lifetime, version, valid_from, valid_to, zone, slot_start, slot_end, bookable_until,
       capacity, reserved,
       CASE WHEN capacity > reserved THEN capacity - reserved ELSE 0 END AS available,
       status, event_type, command_id
FROM (
  SELECT pool_id, lifetime, version,
         occurred_at AS valid_from,
         LEAD(occurred_at) OVER (PARTITION BY pool_id, lifetime ORDER BY version) AS valid_to,
         CAST(${definedOnly('zone')} AS VARCHAR) AS zone, -- MAX(VARCHAR) is TEXT in PostgreSQL
         ${definedOnly('slot_start')} AS slot_start,
         ${definedOnly('slot_end')} AS slot_end,
         ${definedOnly('COALESCE(bookable_until, slot_start)')} AS bookable_until,
         MAX(capacity) OVER (PARTITION BY pool_id, lifetime, capacity_group) AS capacity,
         CAST(SUM(CASE WHEN event_type = 'CapacityReserved' THEN units
                       WHEN event_type = 'CapacityReleased' THEN -units ELSE 0 END)
              OVER (${byVersion}) AS INTEGER) AS reserved,
         CASE WHEN MAX(CASE WHEN event_type = 'PoolExpired' THEN 1 ELSE 0 END) OVER (${byVersion}) = 1 THEN 'expired'
              WHEN MAX(CASE WHEN event_type = 'PoolClosed' THEN 1 ELSE 0 END) OVER (${byVersion}) = 1 THEN 'closed'
              ELSE 'open' END AS status,
         event_type, command_id
  FROM (
    SELECT pool_id, lifetime, version, event_type, command_id, occurred_at, zone, slot_start, slot_end,
           bookable_until, capacity, units,
           COUNT(capacity) OVER (${byVersion}) AS capacity_group
    FROM (
      SELECT pool_id, version, event_type, command_id, occurred_at, zone, slot_start, slot_end,
             ${bookableUntilOf(bookableUntilType)} AS bookable_until, capacity, units,
             CAST(SUM(CASE WHEN event_type = 'PoolDefined' THEN 1 ELSE 0 END)
                  OVER (PARTITION BY pool_id ORDER BY kafka_topic, kafka_partition, kafka_offset ${running})
                  AS INTEGER) AS lifetime
      FROM capacity_events
    ) AS lifetimes
  ) AS capacity_groups
) AS versions
WHERE version IS NOT NULL`;
}

/**
 * Latest version of each pool per zone and slot day: how full the day is. From `pool_versions`, so it
 * counts every pool the journal defined, also those whose pool-state record was tombstoned when they
 * expired (an expired pool keeps the capacity and reservations it ended with).
 */
export const utilisationViewSql = `CREATE OR REPLACE VIEW zone_daily_utilisation AS
SELECT zone,
       CAST(slot_start AS DATE) AS slot_day,
       COUNT(*) AS pools,
       SUM(capacity) AS capacity,
       SUM(reserved) AS reserved,
       SUM(available) AS available,
       CASE WHEN SUM(capacity) = 0 THEN NULL
            ELSE CAST(SUM(reserved) AS DOUBLE PRECISION) / SUM(capacity) END AS utilisation
FROM (
  SELECT pool_id, zone, slot_start, capacity, reserved, available,
         ROW_NUMBER() OVER (PARTITION BY pool_id, lifetime ORDER BY version DESC) AS latest
  FROM pool_versions
) AS states
WHERE latest = 1
GROUP BY zone, CAST(slot_start AS DATE)`;

/** Reservations and releases per zone and hour in which they happened. */
export const hourlyActivityViewSql = `CREATE OR REPLACE VIEW zone_hourly_reservations AS
SELECT pools.zone,
       DATE_TRUNC('hour', e.occurred_at) AS hour,
       SUM(CASE WHEN e.event_type = 'CapacityReserved' THEN 1 ELSE 0 END) AS reservations,
       SUM(CASE WHEN e.event_type = 'CapacityReserved' THEN e.units ELSE 0 END) AS units_reserved,
       SUM(CASE WHEN e.event_type = 'CapacityReleased' THEN 1 ELSE 0 END) AS releases,
       SUM(CASE WHEN e.event_type = 'CapacityReleased' THEN e.units ELSE 0 END) AS units_released
FROM capacity_events AS e
JOIN (SELECT pool_id, MIN(zone) AS zone FROM capacity_events
      WHERE event_type = 'PoolDefined' GROUP BY pool_id) AS pools
  ON pools.pool_id = e.pool_id
WHERE e.event_type IN ('CapacityReserved', 'CapacityReleased')
GROUP BY pools.zone, DATE_TRUNC('hour', e.occurred_at)`;

/**
 * One pool's events are an index lookup. PostgreSQL: a btree on (pool_id, version), which also returns them
 * in version order. DuckDB (1.5): its optimizer uses an ART index only when the filter covers every indexed
 * column (EXPLAIN ANALYZE of `WHERE pool_id = ?` shows "Sequential Scan" with (pool_id, version) and "Index
 * Scan" with (pool_id)), so there it is on pool_id alone. Both are created if missing at every start.
 */
export function indexSql(kind: 'duckdb' | 'postgres'): string[] {
  return kind === 'postgres'
    ? ['CREATE INDEX IF NOT EXISTS capacity_events_pool_version ON capacity_events (pool_id, version)']
    : ['CREATE INDEX IF NOT EXISTS capacity_events_pool ON capacity_events (pool_id)'];
}
