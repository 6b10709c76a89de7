// The warehouse schema: two tables and the offsets table, in SQL that PostgreSQL, DuckDB and (with the
// changes listed in README "Warehouse connector") Redshift all accept; the analyst views and the indexes are
// in views.ts. Columns are typed by a small portable vocabulary; new optional Avro fields become new
// nullable columns of these types.

export type SqlType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE PRECISION' | 'BOOLEAN' | 'TIMESTAMP';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  /** SQL default, for a column added to tables that already have rows (`ALTER TABLE … ADD COLUMN … DEFAULT`). */
  readonly default?: string;
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
    // Base columns added after the first release go last: a warehouse created before gets them at start
    // (Warehouse.migrate adds the base columns it lacks).
    // PoolDefined.bookableUntil (epoch ms, optional): created before the first such event so that
    // `pool_versions` can name it; NULL on older events (the view then reads it as slot_start).
    { name: 'bookable_until', type: 'TIMESTAMP' },
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
    { name: 'bookable_until', type: 'TIMESTAMP' },
    // TRUE for a tombstone (the pool left the changelog when it expired): a row with the key as pool_id and
    // the record's timestamp as valid_from, every state column NULL. History is never deleted.
    { name: 'tombstone', type: 'BOOLEAN', default: 'FALSE' },
  ],
};

/** Avro field names that map to a differently named column. */
export const renamedFields: Readonly<Record<TableName, Readonly<Record<string, string>>>> = {
  capacity_events: {},
  pool_state_history: { updatedAt: 'valid_from' },
};

export const OFFSETS_TABLE = 'connector_offsets';

/** `name TYPE [DEFAULT …]`, as in CREATE TABLE and ALTER TABLE … ADD COLUMN. */
export function columnSql(column: Column): string {
  return `${column.name} ${column.type}${column.default === undefined ? '' : ` DEFAULT ${column.default}`}`;
}

export function createTableSql(table: TableName): string {
  const columns = baseColumns[table].map((c) => `  ${columnSql(c)}`).join(',\n');
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

/** snake_case column name of an Avro field name (`previousCapacity` -> `previous_capacity`). */
export function columnNameOf(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}
