// Decodes topic values with the WRITER's schema (fetched from the registry by the id in the payload), not
// resolved into our own: a field added by a newer producer is kept and becomes a new column, and an event
// type this code does not know is still read and stored as JSON.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { ContractError, UnavailableError } from '../errors';
import { columnNameOf, renamedFields, type SqlType, type TableName } from './tables';

export interface DecodedValue {
  readonly schemaId: number;
  readonly type: avro.Type;
  readonly value: Record<string, unknown>;
}

/** One column value with the SQL type it needs if its column does not exist yet. */
export interface Cell {
  readonly value: unknown;
  readonly type: SqlType;
}

export interface WarehouseRow {
  readonly table: TableName;
  readonly cells: ReadonlyMap<string, Cell>;
  /** Set when the record was stored without columns of its own (unknown type, undecodable). */
  readonly note: string | null;
}

export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set([
  'PoolDefined',
  'CapacityChanged',
  'CapacityReserved',
  'CapacityReleased',
  'PoolClosed',
  'PoolExpired', // ADR 12: no fields of its own
]);

export class RecordDecoder {
  private readonly types = new Map<number, avro.Type>();

  constructor(private readonly registry: SchemaRegistry) {}

  /** Decodes a Confluent-framed Avro value; ContractError if it is not one, UnavailableError if no registry. */
  async decode(buffer: Buffer): Promise<DecodedValue> {
    if (buffer.length < 5 || buffer.readUInt8(0) !== 0) {
      throw new ContractError(`not a Confluent Avro payload (${buffer.length} bytes)`);
    }
    const schemaId = buffer.readInt32BE(1);
    let type = this.types.get(schemaId);
    if (!type) {
      try {
        type = (await this.registry.getSchema(schemaId)) as unknown as avro.Type;
      } catch (error) {
        if ((error as { status?: number }).status === 404)
          throw new ContractError(`unknown schema id ${schemaId}`, { cause: error });
        throw new UnavailableError(`schema registry unavailable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      this.types.set(schemaId, type);
    }
    try {
      return { schemaId, type, value: type.fromBuffer(buffer.subarray(5)) as Record<string, unknown> };
    } catch (error) {
      throw new ContractError(
        `payload does not match its writer schema ${schemaId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

interface Location {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const shortName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

function baseCells(at: Location, schemaId: number | null): Map<string, Cell> {
  return new Map<string, Cell>([
    ['kafka_topic', { value: at.topic, type: 'VARCHAR' }],
    ['kafka_partition', { value: at.partition, type: 'INTEGER' }],
    ['kafka_offset', { value: at.offset, type: 'BIGINT' }],
    ['schema_id', { value: schemaId, type: 'INTEGER' }],
  ]);
}

/** Unwraps a wrapped union ({"long": 5} -> 5) and turns compound values into JSON text. */
function cellOf(value: unknown, type: avro.Type): Cell {
  let t = type as avro.Type & { types?: avro.Type[] };
  let v = value;
  if (t.typeName === 'union:wrapped' || t.typeName === 'union:unwrapped') {
    if (v === null || v === undefined) {
      const branch = t.types?.find((b) => b.typeName !== 'null');
      return { value: null, type: branch ? sqlTypeOf(branch) : 'VARCHAR' };
    }
    if (t.typeName === 'union:wrapped') {
      const [name] = Object.keys(v as object);
      t = (t.types?.find((b) => (b.branchName ?? b.typeName) === name) ?? t) as typeof t;
      v = (v as Record<string, unknown>)[name as string];
    }
  }
  const sqlType = sqlTypeOf(t);
  if (Buffer.isBuffer(v)) return { value: v.toString('base64'), type: sqlType };
  if (v !== null && typeof v === 'object') return { value: JSON.stringify(v, jsonReplacer), type: 'VARCHAR' };
  return { value: v ?? null, type: sqlType };
}

function sqlTypeOf(type: avro.Type): SqlType {
  switch (type.typeName) {
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'float':
    case 'double':
      return 'DOUBLE PRECISION';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer')
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  return value;
}

function putFields(
  cells: Map<string, Cell>,
  table: TableName,
  record: Record<string, unknown>,
  type: avro.Type,
  skip: string,
): void {
  for (const field of (type as avro.types.RecordType).fields) {
    if (field.name === skip) continue;
    const column = renamedFields[table][field.name] ?? columnNameOf(field.name);
    cells.set(column, cellOf(record[field.name], field.type));
  }
}

/** One capacity_events row: envelope fields, the event type and its fields, where it was read. */
export function eventRow(at: Location, decoded: DecodedValue): WarehouseRow {
  const cells = baseCells(at, decoded.schemaId);
  putFields(cells, 'capacity_events', decoded.value, decoded.type, 'event');
  const union = decoded.value.event as Record<string, Record<string, unknown>>;
  const branchName = Object.keys(union)[0] ?? 'unknown';
  const eventType = shortName(branchName);
  cells.set('event_type', { value: eventType, type: 'VARCHAR' });
  const unionType = (decoded.type as avro.types.RecordType).fields.find((f) => f.name === 'event')
    ?.type as avro.Type & { types: avro.Type[] };
  const branchType = unionType.types.find((t) => t.branchName === branchName || t.name === branchName);
  const payload = union[branchName] ?? {};
  if (KNOWN_EVENT_TYPES.has(eventType) && branchType) {
    putFields(cells, 'capacity_events', payload, branchType, '');
    return { table: 'capacity_events', cells, note: null };
  }
  cells.set('payload_json', { value: JSON.stringify(payload, jsonReplacer), type: 'VARCHAR' });
  return { table: 'capacity_events', cells, note: `unknown event type ${branchName}` };
}

/** One pool_state_history row: every field of the state; valid_from is its updatedAt. */
export function poolStateRow(at: Location, decoded: DecodedValue): WarehouseRow {
  const cells = baseCells(at, decoded.schemaId);
  putFields(cells, 'pool_state_history', decoded.value, decoded.type, '');
  cells.set('tombstone', { value: false, type: 'BOOLEAN' });
  return { table: 'pool_state_history', cells, note: null };
}

/**
 * A pool-state tombstone (the pool expired and left the changelog): recorded, never applied as a delete.
 * pool_id is the record's key, valid_from its timestamp (when the pool left), every state column NULL.
 */
export function tombstoneRow(at: Location, key: string | null, timestamp: number): WarehouseRow {
  const cells = baseCells(at, null);
  cells.set('pool_id', { value: key, type: 'VARCHAR' });
  cells.set('valid_from', { value: timestamp, type: 'TIMESTAMP' });
  cells.set('tombstone', { value: true, type: 'BOOLEAN' });
  return { table: 'pool_state_history', cells, note: null };
}

/** A value that could not be decoded: kept as base64 with the reason, never dropped. */
export function undecodableRow(
  table: TableName,
  at: Location,
  value: Buffer,
  reason: string,
  key: string | null,
): WarehouseRow {
  const cells = baseCells(at, null);
  if (table === 'capacity_events') {
    cells.set('event_type', { value: 'UNDECODABLE', type: 'VARCHAR' });
    cells.set('pool_id', { value: key, type: 'VARCHAR' });
  } else {
    cells.set('pool_id', { value: key, type: 'VARCHAR' });
    cells.set('tombstone', { value: false, type: 'BOOLEAN' });
  }
  cells.set('payload_json', {
    value: JSON.stringify({ error: reason, valueBase64: value.toString('base64') }),
    type: 'VARCHAR',
  });
  return { table, cells, note: `undecodable: ${reason}` };
}
