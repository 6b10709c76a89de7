// DuckDB through @duckdb/node-api: one instance and one connection per file, as DuckDB wants (a file has
// one writing process at a time).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { BulkColumn, SqlDriver } from './sqlDriver';

export class DuckDbDriver implements SqlDriver {
  readonly kind = 'duckdb' as const;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(file: string): Promise<DuckDbDriver> {
    const path = resolve(file);
    mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    return new DuckDbDriver(instance, await instance.connect());
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.connection.run(sql, params.length > 0 ? (params as DuckDBValue[]) : undefined);
    return Number(result.rowsChanged);
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(
      sql,
      params.length > 0 ? (params as DuckDBValue[]) : undefined,
    );
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** Appends through DuckDB's Appender on this connection, so the rows belong to its open transaction. */
  async bulkInsert(
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly (readonly unknown[])[],
  ): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        columns.forEach((column, i) => {
          const value = row[i];
          if (value === null || value === undefined) appender.appendNull();
          else if (column.type === 'INTEGER') appender.appendInteger(Number(value));
          else if (column.type === 'BIGINT') appender.appendBigInt(BigInt(Math.trunc(Number(value))));
          else if (column.type === 'DOUBLE PRECISION') appender.appendDouble(Number(value));
          else if (column.type === 'BOOLEAN') appender.appendBoolean(Boolean(value));
          else appender.appendVarchar(String(value)); // VARCHAR, and TIMESTAMP literals (cast by DuckDB)
        });
        appender.endRow();
      }
      appender.flushSync();
    } catch (error) {
      // Rows that failed stay in the appender: closing would append them again, fail with "Current
      // transaction is aborted (please ROLLBACK)" and throw that instead of this error. Drop them.
      appender.clear();
      throw error;
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
