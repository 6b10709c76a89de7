// The warehouse schema: two tables, the offsets table and two analyst views, in SQL that PostgreSQL, DuckDB
// and (with the changes listed in README "Warehouse connector") Redshift all accept. Columns are typed by
// a small portable vocabulary; new optional Avro fields become new nullable columns of these types.

export type SqlType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE PRECISION' | 'BOOLEAN' | 'TIMESTAMP';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
}

export type TableName = 'capacity_events' | 'pool_state_history';

const kafkaColumns: Column[] = [
  { name: 'kafka_topic', type: 'VARCHAR' },
  { name: 'kafka_partition', type: 'INTEGER' },
  { name: 'kafka_offset', type: 'BIGINT' },
];
const trailingColumns: Column[] = [
  { name: 'schema_id', type: 'INTEGER' },
  // The record as JSON when it has no column of its own: an unknown event type, or undecodable bytes.
  { name: 'payload_json', type: 'VARCHAR' },
  { name: 'loaded_at', type: 'TIMESTAMP' },
];

/** The columns each table is created with; evolution adds more at the end. */
export const baseColumns: Readonly<Record<TableName, readonly Column[]>> = {
  capacity_events: [
    ...kafkaColumns,
    { name: 'pool_id', type: 'VARCHAR' },
    { name: 'version', type: 'BIGINT' },
    { name: 'event_type', type: 'VARCHAR' },
    { name: 'command_id', type: 'VARCHAR' },
    { name: 'occurred_at', type: 'TIMESTAMP' },
    { name: 'zone', type: 'VARCHAR' },
    { name: 'slot_start', type: 'TIMESTAMP' },
    { name: 'slot_end', type: 'TIMESTAMP' },
    { name: 'capacity', type: 'INTEGER' },
    { name: 'previous_capacity', type: 'INTEGER' },
    { name: 'reservation_id', type: 'VARCHAR' },
    { name: 'units', type: 'INTEGER' },
    { name: 'request_id', type: 'VARCHAR' },
    ...trailingColumns,
  ],
  pool_state_history: [
    ...kafkaColumns,
    { name: 'pool_id', type: 'VARCHAR' },
    { name: 'zone', type: 'VARCHAR' },
    { name: 'slot_start', type: 'TIMESTAMP' },
    { name: 'slot_end', type: 'TIMESTAMP' },
    { name: 'capacity', type: 'INTEGER' },
    { name: 'reserved', type: 'INTEGER' },
    { name: 'available', type: 'INTEGER' },
    { name: 'status', type: 'VARCHAR' },
    { name: 'version', type: 'BIGINT' },
    { name: 'valid_from', type: 'TIMESTAMP' },
    ...trailingColumns,
  ],
};

/** Avro field names that map to a differently named column. */
export const renamedFields: Readonly<Record<TableName, Readonly<Record<string, string>>>> = {
  capacity_events: {},
  pool_state_history: { updatedAt: 'valid_from' },
};

export const OFFSETS_TABLE = 'connector_offsets';

export function createTableSql(table: TableName): string {
  const columns = baseColumns[table].map((c) => `  ${c.name} ${c.type}`).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${columns},\n  PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)\n)`;
}

export const createOffsetsTableSql = `CREATE TABLE IF NOT EXISTS ${OFFSETS_TABLE} (
  group_id VARCHAR NOT NULL,
  kafka_topic VARCHAR NOT NULL,
  kafka_partition INTEGER NOT NULL,
  next_offset BIGINT NOT NULL,
  updated_at TIMESTAMP,
  PRIMARY KEY (group_id, kafka_topic, kafka_partition)
)`;

/** Latest state of each pool per zone and slot day: how full the day is. */
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
         ROW_NUMBER() OVER (PARTITION BY pool_id ORDER BY version DESC) AS latest
  FROM pool_state_history
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

/** snake_case column name of an Avro field name (`previousCapacity` -> `previous_capacity`). */
export function columnNameOf(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}
