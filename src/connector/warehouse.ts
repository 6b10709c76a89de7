// The warehouse as the connector sees it: create and migrate the tables, read the stored positions, and
// write a batch of rows together with the positions it reaches in ONE transaction. Positions are updated
// only from the value this writer read (optimistic), so two writers for one partition cannot both win.
// One connection, one operation at a time: a transaction belongs to the connection, so a statement of
// another operation started while a batch's transaction is open would run inside it (DuckDB: it reads the
// batch's uncommitted positions, or it fails and aborts the batch: "Failed to append: Current transaction
// is aborted").
import { CapacityError } from '../errors';
import type { WarehouseTarget } from './connectorConfig';
import { DuckDbDriver } from './duckdbDriver';
import { PostgresDriver } from './postgresDriver';
import type { WarehouseRow } from './recordDecoder';
import type { SqlDriver } from './sqlDriver';
import {
  baseColumns,
  columnSql,
  createOffsetsTableSql,
  createTableSql,
  OFFSETS_TABLE,
  type SqlType,
  type TableName,
} from './tables';
import { hourlyActivityViewSql, indexSql, poolVersionsViewSql, utilisationViewSql } from './views';

/** Thrown when the stored position of a partition is not the one this writer started from. */
export class OffsetConflictError extends CapacityError {
  constructor(message: string) {
    super('OFFSET_CONFLICT', message, { retriable: true });
  }
}

/**
 * Thrown when a batch holds rows whose offsets are already in the warehouse although its positions, which
 * were stored in the same transaction as those rows, said they were not: another connector group loads the
 * same topics into this warehouse, or the connector took a record twice. Not retriable: it would fail the
 * same way until the retry time ends.
 */
export class RowsAlreadyStoredError extends CapacityError {
  constructor(message: string, cause: unknown) {
    super('ROWS_ALREADY_STORED', message, { retriable: false, cause });
  }
}

export interface PositionUpdate {
  readonly topic: string;
  readonly partition: number;
  /** The stored next offset this batch starts from; null when none is stored yet. */
  readonly from: number | null;
  /** The next offset to read after this batch. */
  readonly to: number;
}

export const positionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * True for a primary-key / unique violation: PostgreSQL reports SQLSTATE 23505 (node-postgres sets `code`),
 * DuckDB "Constraint Error: Duplicate key ... violates primary key constraint" from a statement and "Failed
 * to append: Duplicate key ..." from its appender (@duckdb/node-api gives only the message).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { code?: unknown }).code === '23505') return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /^(Constraint Error|Failed to append): Duplicate key/.test(message);
}

const ROWS_PER_STATEMENT = 500;
const TABLES: readonly TableName[] = ['capacity_events', 'pool_state_history'];

function sqlTypeOfInformationSchema(dataType: string): SqlType {
  const t = dataType.toUpperCase();
  if (t === 'INTEGER') return 'INTEGER';
  if (t === 'BIGINT') return 'BIGINT';
  if (t === 'BOOLEAN') return 'BOOLEAN';
  if (t.startsWith('DOUBLE')) return 'DOUBLE PRECISION';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: the timestamp literal every SQL dialect here reads the same way. */
export function sqlTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}

/** "topic[partition] first..last" of each partition of some rows, for messages. */
function describeRows(rows: readonly WarehouseRow[]): string {
  const ranges = new Map<string, [number, number]>();
  for (const row of rows) {
    const key = `${String(row.cells.get('kafka_topic')?.value)}[${String(row.cells.get('kafka_partition')?.value)}]`;
    const offset = Number(row.cells.get('kafka_offset')?.value);
    const range = ranges.get(key);
    ranges.set(key, range ? [Math.min(range[0], offset), Math.max(range[1], offset)] : [offset, offset]);
  }
  return [...ranges].map(([key, [first, last]]) => `${key} ${first}..${last}`).join(', ');
}

export class Warehouse {
  private readonly columns = new Map<TableName, Map<string, SqlType>>();
  /** Settles when the operation last started on the connection has ended. */
  private idle: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly driver: SqlDriver,
    private readonly groupId: string,
    private readonly onNewColumn: (table: TableName, column: string, type: SqlType) => void,
  ) {}

  static async open(
    target: WarehouseTarget,
    groupId: string,
    onNewColumn: (table: TableName, column: string, type: SqlType) => void = () => undefined,
  ): Promise<Warehouse> {
    const driver =
      target.kind === 'duckdb' ? await DuckDbDriver.open(target.file) : await PostgresDriver.open(target.url);
    const warehouse = new Warehouse(driver, groupId, onNewColumn);
    try {
      await warehouse.migrate();
    } catch (error) {
      await driver.close();
      throw error;
    }
    return warehouse;
  }

  get kind(): 'duckdb' | 'postgres' {
    return this.driver.kind;
  }

  /** Runs `operation` once every operation started before it has ended, alone on the connection. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.idle.then(operation);
    this.idle = result.catch(() => undefined);
    return result;
  }

  /**
   * Creates what is missing (tables, base columns a newer connector added, indexes, views) and learns the
   * columns that exist, with the types they have (earlier evolutions included).
   */
  private async migrate(): Promise<void> {
    for (const table of TABLES) await this.driver.run(createTableSql(table));
    await this.driver.run(createOffsetsTableSql);
    for (const table of TABLES) {
      let existing = await this.tableColumns(table);
      const missing = baseColumns[table].filter((c) => !existing.has(c.name));
      for (const column of missing) {
        await this.driver.run(`ALTER TABLE ${table} ADD COLUMN ${columnSql(column)}`);
        this.onNewColumn(table, column.name, column.type);
      }
      if (missing.length > 0) existing = await this.tableColumns(table);
      // Table order (the bulk path appends whole rows). The type a column HAS wins over the one a base
      // column would be created with: evolution may have added it (as BIGINT epoch ms, say) before it was one.
      this.columns.set(table, existing);
    }
    // An index only speeds up reading one pool: a database without CREATE INDEX (Redshift, which sorts by
    // SORTKEY instead) still gets its rows. A lost connection fails the next statement anyway.
    for (const sql of indexSql(this.driver.kind)) await this.driver.run(sql).catch(() => undefined);
    const bookableUntil = this.columns.get('capacity_events')?.get('bookable_until') ?? 'TIMESTAMP';
    await this.driver.run(poolVersionsViewSql(bookableUntil));
    await this.driver.run(utilisationViewSql);
    await this.driver.run(hourlyActivityViewSql);
  }

  /** The columns of a table in table order, with their portable types. */
  private async tableColumns(table: TableName): Promise<Map<string, SqlType>> {
    const rows = await this.driver.all(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    return new Map(
      rows.map((row) => [String(row.column_name), sqlTypeOfInformationSchema(String(row.data_type))]),
    );
  }

  /** Stored next offsets of this connector group, by "topic:partition". */
  async positions(): Promise<Map<string, number>> {
    const rows = await this.exclusive(() =>
      this.driver.all(
        `SELECT kafka_topic, kafka_partition, next_offset FROM ${OFFSETS_TABLE} WHERE group_id = $1`,
        [this.groupId],
      ),
    );
    return new Map(
      rows.map((r) => [positionKey(String(r.kafka_topic), Number(r.kafka_partition)), Number(r.next_offset)]),
    );
  }

  /** Adds a nullable column for every field a newer schema brought (outside the data transaction). */
  private async evolve(rows: readonly WarehouseRow[]): Promise<void> {
    for (const row of rows) {
      const known = this.columns.get(row.table) as Map<string, SqlType>;
      for (const [name, cell] of row.cells) {
        if (known.has(name)) continue;
        const existing = await this.driver.all(
          'SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND column_name = $2',
          [row.table, name],
        );
        if (existing.length === 0) {
          await this.driver.run(`ALTER TABLE ${row.table} ADD COLUMN ${name} ${cell.type}`);
          this.onNewColumn(row.table, name, cell.type);
        }
        known.set(name, cell.type);
      }
    }
  }

  /** Rows and positions in one transaction: all of it is stored, or none. */
  write(rows: readonly WarehouseRow[], positions: readonly PositionUpdate[]): Promise<void> {
    return this.exclusive(() => this.writeNow(rows, positions));
  }

  private async writeNow(rows: readonly WarehouseRow[], positions: readonly PositionUpdate[]): Promise<void> {
    await this.evolve(rows);
    const loadedAt = sqlTimestamp(Date.now());
    await this.driver.run('BEGIN');
    try {
      for (const p of positions) await this.storePosition(p, loadedAt);
      for (const table of TABLES) {
        const tableRows = rows.filter((r) => r.table === table);
        for (let i = 0; i < tableRows.length; i += ROWS_PER_STATEMENT)
          await this.insert(table, tableRows.slice(i, i + ROWS_PER_STATEMENT), loadedAt).catch((error) => {
            if (!isUniqueViolation(error)) throw error;
            throw new RowsAlreadyStoredError(
              `rows of this batch are already in ${table} although its positions were not: ${describeRows(tableRows)}` +
                ` (${(error as Error).message})`,
              error,
            );
          });
      }
      await this.driver.run('COMMIT');
    } catch (error) {
      await this.driver.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async storePosition(p: PositionUpdate, updatedAt: string): Promise<void> {
    if (p.from === null) {
      try {
        await this.driver.run(
          `INSERT INTO ${OFFSETS_TABLE} (group_id, kafka_topic, kafka_partition, next_offset, updated_at) ` +
            'VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMP))',
          [this.groupId, p.topic, p.partition, p.to, updatedAt],
        );
      } catch (error) {
        // Another writer stored a first position for this partition since we read none: the same conflict
        // as a moved position (re-read and realign), not a failure to retry (it would fail the same way
        // until the retry deadline and stop the connector).
        if (isUniqueViolation(error)) {
          throw new OffsetConflictError(
            `a position of ${p.topic}[${p.partition}] was stored by another writer meanwhile`,
          );
        }
        throw error;
      }
      return;
    }
    const changed = await this.driver.run(
      `UPDATE ${OFFSETS_TABLE} SET next_offset = $1, updated_at = CAST($2 AS TIMESTAMP) ` +
        'WHERE group_id = $3 AND kafka_topic = $4 AND kafka_partition = $5 AND next_offset = $6',
      [p.to, updatedAt, this.groupId, p.topic, p.partition, p.from],
    );
    if (changed !== 1) {
      throw new OffsetConflictError(
        `stored position of ${p.topic}[${p.partition}] is no longer ${p.from}: another writer moved it`,
      );
    }
  }

  private async insert(table: TableName, rows: readonly WarehouseRow[], loadedAt: string): Promise<void> {
    if (rows.length === 0) return;
    const types = this.columns.get(table) as Map<string, SqlType>;
    if (this.driver.bulkInsert) {
      const columns = [...types].map(([name, type]) => ({ name, type }));
      const values = rows.map((row) =>
        columns.map(({ name, type }) => {
          const value = name === 'loaded_at' ? loadedAt : (row.cells.get(name)?.value ?? null);
          return type === 'TIMESTAMP' && typeof value === 'number' ? sqlTimestamp(value) : value;
        }),
      );
      await this.driver.bulkInsert(table, columns, values);
      return;
    }
    const names = [...new Set(['loaded_at', ...rows.flatMap((r) => [...r.cells.keys()])])];
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const slots = names.map((name) => {
        const value = name === 'loaded_at' ? loadedAt : (row.cells.get(name)?.value ?? null);
        if (types.get(name) === 'TIMESTAMP') {
          params.push(typeof value === 'number' ? sqlTimestamp(value) : value);
          return `CAST($${params.length} AS TIMESTAMP)`;
        }
        params.push(value);
        return `$${params.length}`;
      });
      return `(${slots.join(', ')})`;
    });
    await this.driver.run(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    return this.exclusive(() => this.driver.all(sql, params));
  }

  /** Closes the connection after the operations already started (a batch's transaction ends first). */
  close(): Promise<void> {
    return this.exclusive(() => this.driver.close());
  }
}
