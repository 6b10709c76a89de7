// Pure mapping from decoded Avro values to warehouse rows, and the connector's settings.
import avro from 'avsc';
import {
  columnNameOf,
  eventRow,
  loadConnectorConfig,
  poolStateRow,
  sqlTimestamp,
  undecodableRow,
  type DecodedValue,
} from '../../../src/connector';
import { AVRO_OPTIONS, eventToAvro, poolToAvro, readSchema } from '../../../src/contracts';

const at = { topic: 't.events', partition: 2, offset: 41 };
const decoded = (schema: avro.Schema, value: Record<string, unknown>, schemaId = 7): DecodedValue => {
  const type = avro.Type.forSchema(schema, { ...AVRO_OPTIONS });
  return { schemaId, type, value: type.fromBuffer(type.toBuffer(value)) as Record<string, unknown> };
};
const cells = (row: { cells: ReadonlyMap<string, { value: unknown }> }) =>
  Object.fromEntries([...row.cells].map(([k, c]) => [k, c.value]));

test('column names are snake_case', () => {
  expect(columnNameOf('previousCapacity')).toBe('previous_capacity');
  expect(columnNameOf('poolId')).toBe('pool_id');
  expect(columnNameOf('units')).toBe('units');
});

test('an event becomes one row: envelope, event type and its fields, where it was read', () => {
  const value = eventToAvro({
    poolId: 'p-1',
    version: 3,
    commandId: 'c-3',
    occurredAt: 1_700_000_000_000,
    event: { type: 'CapacityReserved', reservationId: 'r1.p-1.x', units: 2, requestId: 'q' },
  });
  const row = eventRow(at, decoded(readSchema('event'), value));
  expect(row.table).toBe('capacity_events');
  expect(row.note).toBeNull();
  expect(cells(row)).toEqual({
    kafka_topic: 't.events',
    kafka_partition: 2,
    kafka_offset: 41,
    schema_id: 7,
    pool_id: 'p-1',
    version: 3,
    command_id: 'c-3',
    occurred_at: 1_700_000_000_000,
    event_type: 'CapacityReserved',
    reservation_id: 'r1.p-1.x',
    units: 2,
    request_id: 'q',
  });
});

test('a new optional field becomes a typed cell; an unknown event type is kept as JSON', () => {
  const schema = readSchema('event') as unknown as { fields: { name: string; type: unknown }[] };
  (schema.fields.find((f) => f.name === 'event') as { type: unknown[] }).type.push({
    type: 'record',
    name: 'PoolArchived',
    fields: [{ name: 'reason', type: 'string' }],
  });
  schema.fields.push({ name: 'priority', type: ['null', 'int'], default: null } as never);
  const row = eventRow(
    at,
    decoded(schema as unknown as avro.Schema, {
      poolId: 'p-1',
      version: 9,
      commandId: 'c-9',
      occurredAt: 1,
      event: { 'com.grocer.capacity.event.PoolArchived': { reason: 'season over' } },
      priority: { int: 4 },
    }),
  );
  expect(row.note).toMatch(/unknown event type/);
  expect(row.cells.get('priority')).toEqual({ value: 4, type: 'INTEGER' });
  expect(row.cells.get('event_type')?.value).toBe('PoolArchived');
  expect(JSON.parse(String(row.cells.get('payload_json')?.value))).toEqual({ reason: 'season over' });
});

test('a pool state becomes one row with valid_from = updatedAt', () => {
  const value = poolToAvro({
    poolId: 'p-1',
    zone: 'north',
    slotStart: 10,
    slotEnd: 20,
    bookableUntil: 10,
    capacity: 5,
    reserved: 7,
    status: 'open',
    version: 4,
    updatedAt: 99,
  });
  const row = poolStateRow({ ...at, topic: 't.pool-state' }, decoded(readSchema('pool-state'), value));
  expect(cells(row)).toMatchObject({
    pool_id: 'p-1',
    capacity: 5,
    reserved: 7,
    available: 0,
    status: 'OPEN',
    valid_from: 99,
  });
  expect(row.cells.has('updated_at')).toBe(false);
});

test('undecodable bytes are kept with the reason', () => {
  const row = undecodableRow('capacity_events', at, Buffer.from('hello'), 'bad magic', 'p-1');
  expect(row.cells.get('event_type')?.value).toBe('UNDECODABLE');
  expect(JSON.parse(String(row.cells.get('payload_json')?.value))).toEqual({
    error: 'bad magic',
    valueBase64: Buffer.from('hello').toString('base64'),
  });
});

test('timestamps are written as UTC literals', () => {
  expect(sqlTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05.678');
});

describe('connector settings', () => {
  test('DuckDB by default, PostgreSQL when WAREHOUSE_URL or CAPACITY_WAREHOUSE_URL is set', () => {
    expect(loadConnectorConfig({}).warehouse).toEqual({ kind: 'duckdb', file: './data/warehouse.duckdb' });
    expect(loadConnectorConfig({ WAREHOUSE_URL: 'postgres://u:p@h:1/db' }).warehouse).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@h:1/db',
    });
    expect(
      loadConnectorConfig({ WAREHOUSE_URL: 'postgres://a/b', CAPACITY_WAREHOUSE_URL: 'postgresql://c/d' })
        .warehouse,
    ).toEqual({ kind: 'postgres', url: 'postgresql://c/d' });
  });

  test('bad values are refused with the variable name, secrets hidden', () => {
    expect(() => loadConnectorConfig({ CAPACITY_CONNECTOR_BATCH_SIZE: '0' })).toThrow(
      /CAPACITY_CONNECTOR_BATCH_SIZE: must be an integer between 1 and 100000/,
    );
    expect(() => loadConnectorConfig({ WAREHOUSE_URL: 'mysql://root:hunter2@x/db' })).toThrow(
      /CAPACITY_WAREHOUSE_URL: must be a postgres:\/\/ .*\(got <hidden>\)/,
    );
  });
});
