// The connector's own settings (CAPACITY_WAREHOUSE_*, CAPACITY_CONNECTOR_*), validated with the same
// table as every other setting (src/config/settings.ts), compiled into a typed object.
import { settings } from '../config';
import { ConfigError } from '../errors';

export type WarehouseTarget =
  { readonly kind: 'duckdb'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

export interface ConnectorConfig {
  readonly warehouse: WarehouseTarget;
  readonly groupId: string;
  readonly batchSize: number;
  readonly batchMs: number;
  readonly retryMs: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads one setting from the environment, validated by its schema. */
export function readSetting<T>(name: string, env: Environment = process.env): T {
  const setting = settings.find((s) => s.env === name);
  if (!setting) throw new Error(`unknown setting ${name}`);
  const raw = env[name] === '' ? undefined : env[name];
  const parsed = setting.schema.safeParse(raw ?? setting.default);
  if (!parsed.success) {
    const shown = raw === undefined ? 'nothing' : setting.secret ? '<hidden>' : JSON.stringify(raw);
    throw new ConfigError(
      `Invalid configuration:\n  ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${shown})`,
    );
  }
  return parsed.data as T;
}

export function loadConnectorConfig(env: Environment = process.env): ConnectorConfig {
  // WAREHOUSE_URL is the short spelling the issue and the README use; CAPACITY_WAREHOUSE_URL wins.
  const url = readSetting<string | undefined>('CAPACITY_WAREHOUSE_URL', {
    CAPACITY_WAREHOUSE_URL: env.CAPACITY_WAREHOUSE_URL || env.WAREHOUSE_URL,
  });
  return {
    warehouse: url
      ? { kind: 'postgres', url }
      : { kind: 'duckdb', file: readSetting<string>('CAPACITY_WAREHOUSE_DUCKDB_FILE', env) },
    groupId: readSetting<string>('CAPACITY_CONNECTOR_GROUP', env),
    batchSize: readSetting<number>('CAPACITY_CONNECTOR_BATCH_SIZE', env),
    batchMs: readSetting<number>('CAPACITY_CONNECTOR_BATCH_MS', env),
    retryMs: readSetting<number>('CAPACITY_CONNECTOR_RETRY_MS', env),
  };
}

/** The warehouse for logs and errors, without a password. */
export function describeTarget(target: WarehouseTarget): string {
  if (target.kind === 'duckdb') return `DuckDB file ${target.file}`;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}
