// The little a warehouse needs from a database client: run a statement with $1-style parameters inside
// one connection, read rows back, close. DuckDB and PostgreSQL each implement it in a few lines.
export interface SqlDriver {
  readonly kind: 'duckdb' | 'postgres';
  /** Runs one statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  all(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
  /**
   * Optional fast path for loading rows inside the open transaction (DuckDB's Appender: row-wise INSERT is
   * slow there). `columns` are all the table's columns in table order; values follow them.
   */
  bulkInsert?(
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly (readonly unknown[])[],
  ): Promise<void>;
}

export interface BulkColumn {
  readonly name: string;
  readonly type: 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE PRECISION' | 'BOOLEAN' | 'TIMESTAMP';
}
