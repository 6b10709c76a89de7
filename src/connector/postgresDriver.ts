// PostgreSQL through node-postgres (pure JS): one client, so a transaction is one session.
import { Client } from 'pg';
import type { SqlDriver } from './sqlDriver';

export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  private broken: Error | null = null;

  private constructor(private readonly client: Client) {
    // A dropped connection (server stopped, backend terminated) is reported here and by the next query.
    client.on('error', (error) => {
      this.broken = error;
    });
  }

  static async open(url: string, connectTimeoutMs = 5000): Promise<PostgresDriver> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new PostgresDriver(client);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    if (this.broken) throw this.broken;
    const result = await this.client.query(sql, params as unknown[]);
    return result.rowCount ?? 0;
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    if (this.broken) throw this.broken;
    const result = await this.client.query(sql, params as unknown[]);
    return result.rows as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
