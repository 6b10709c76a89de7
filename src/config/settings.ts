// Every setting of the service, in one table: environment variable, default, meaning and validation.
// `loadConfig` compiles them into a typed Config; `capacity --help` and the README list this table.
import { z } from 'zod';

export interface Setting {
  readonly env: string;
  /** Raw default, as it would appear in the environment; undefined = unset unless given. */
  readonly default: string | undefined;
  readonly description: string;
  readonly schema: z.ZodType;
  /** Never printed (passwords). */
  readonly secret?: boolean;
}

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be an integer port number')
  .min(1, 'must be a port between 1 and 65535')
  .max(65535, 'must be a port between 1 and 65535');
const positiveInt = (max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(1, `must be an integer between 1 and ${max}`)
    .max(max, `must be an integer between 1 and ${max}`);
const durationMs = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a duration in milliseconds' })
    .int('must be an integer number of milliseconds')
    .min(min, `must be between ${min} and ${max} ms`)
    .max(max, `must be between ${min} and ${max} ms`);
const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');
const brokerList = z
  .string()
  .min(1, 'must list at least one broker')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(hostPort).min(1, 'must list at least one broker as host:port'));
const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));
const nameToken = (what: string) =>
  z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, `must be a ${what} of letters, digits, '.', '_' or '-'`);
const optionalString = z.string().optional();

export const settings: readonly Setting[] = [
  {
    env: 'CAPACITY_BROKERS',
    default: '127.0.0.1:9092',
    description: 'Kafka bootstrap servers, comma-separated host:port',
    schema: brokerList,
  },
  {
    env: 'CAPACITY_REGISTRY_URL',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    description: 'Schema registry URL (Confluent API)',
    schema: httpUrl,
  },
  {
    env: 'CAPACITY_REGISTRY_USERNAME',
    default: undefined,
    description: 'Schema registry basic-auth user (optional)',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_REGISTRY_PASSWORD',
    default: undefined,
    description: 'Schema registry basic-auth password (optional)',
    schema: optionalString,
    secret: true,
  },
  {
    env: 'CAPACITY_TOPIC_PREFIX',
    default: 'capacity',
    description: "Topic names are '<prefix>.commands', '<prefix>.events', ...",
    schema: nameToken('topic prefix'),
  },
  {
    env: 'CAPACITY_PARTITIONS',
    default: '12',
    description: 'Partitions of the command, event and changelog topics (fixed at creation)',
    schema: positiveInt(1000),
  },
  {
    env: 'CAPACITY_REPLICATION_FACTOR',
    default: '1',
    description: 'Replication factor of created topics (3 in production)',
    schema: positiveInt(10),
  },
  {
    env: 'CAPACITY_APPLICATION_ID',
    default: 'capacity-processor',
    description: 'Processor consumer group and transactional-id prefix',
    schema: nameToken('application id'),
  },
  {
    env: 'CAPACITY_STATE_DIR',
    default: './state',
    description: 'Processor local state (RocksDB); a cache, safe to delete',
    schema: z.string().min(1, 'must be a directory path'),
  },
  {
    env: 'CAPACITY_HTTP_HOST',
    default: '127.0.0.1',
    description: 'Gateway listen address (0.0.0.0 in containers)',
    schema: z.string().min(1, 'must be a host name or address'),
  },
  { env: 'CAPACITY_HTTP_PORT', default: '8080', description: 'Gateway HTTP port', schema: port },
  {
    env: 'CAPACITY_METRICS_PORT',
    default: '9464',
    description: 'Processor/connector metrics and health port',
    schema: port,
  },
  {
    env: 'CAPACITY_LOG_LEVEL',
    default: 'info',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
  },
  {
    env: 'CAPACITY_SESSION_TIMEOUT_MS',
    default: '1500',
    description:
      'Consumer group session timeout; a crashed processor loses its partitions after it (the broker must allow it: group.min.session.timeout.ms, 6000 by default, 1000 in the local stack; ADR 8)',
    schema: durationMs(1000, 300000),
  },
  {
    env: 'CAPACITY_STANDBY_REPLICAS',
    default: '1',
    description:
      'Processor: warm standby copies of each partition kept by other instances (followed from the changelogs into local RocksDB), so a takeover restores only the last records; 0 = none',
    schema: z.coerce.number().int().min(0).max(100),
  },
  {
    env: 'CAPACITY_INSTANCE_ID',
    default: undefined,
    description:
      'Processor: static group membership (group.instance.id), unique per instance; a restart within the session timeout keeps its partitions. Unset: dynamic membership (a clean shutdown hands partitions over at once)',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be 1-100 letters, digits, ".", "_" or "-"' })
      .optional(),
  },
  {
    env: 'CAPACITY_MAX_COMMANDS_PER_CYCLE',
    default: '5000',
    description:
      'Processor: most commands fetched and committed in one cycle (one transaction for all partitions)',
    schema: z.coerce.number().int().min(1).max(100000),
  },
  {
    env: 'CAPACITY_MAX_CYCLE_MS',
    default: '500',
    description: 'Processor: deciding stops after this long; partitions not reached wait for the next cycle',
    schema: durationMs(10, 60000),
  },
  {
    env: 'CAPACITY_BOOKING_CUTOFF_MS',
    default: '3600000',
    description:
      'Processor: a pool defined without its own bookableUntil takes reserves until this long before its slot starts (resolved once, into the PoolDefined event; ADR 12)',
    schema: durationMs(0, 30 * 24 * 3600_000),
  },
  {
    env: 'CAPACITY_EXPIRE_AFTER_MS',
    default: '86400000',
    description:
      'Processor: a pool is expired (PoolExpired in the journal, its pool and reservations tombstoned and deleted from local state) this long after its slot ends',
    schema: durationMs(0, 365 * 24 * 3600_000),
  },
  {
    env: 'CAPACITY_EXPIRED_POOL_RETENTION_MS',
    default: '2592000000',
    description:
      'Processor: how long an expired pool is remembered (commands for it get POOL_EXPIRED); afterwards its marker is tombstoned too and the pool is unknown',
    schema: durationMs(0, 3650 * 24 * 3600_000),
  },
  {
    env: 'CAPACITY_PUNCTUATE_INTERVAL_MS',
    default: '10000',
    description:
      'Processor: how often (wall-clock) each task looks for pools to expire and markers to drop, also when no command arrives',
    schema: durationMs(10, 3600_000),
  },
  {
    env: 'CAPACITY_MAX_EXPIRIES_PER_PUNCTUATION',
    default: '1000',
    description:
      'Processor: most pools one task expires in one punctuation (one transaction); a backlog is worked off over the next ones',
    schema: z.coerce.number().int().min(1).max(100000),
  },
  {
    env: 'CAPACITY_TRANSACTION_TIMEOUT_MS',
    default: '5000',
    description:
      'Processor: the broker aborts a transaction left open longer than this; a backstop, since the new owner fences a crashed instance at takeover (keep it well above a cycle, >= 3000)',
    schema: durationMs(1000, 900000),
  },
  {
    env: 'CAPACITY_REQUEST_TIMEOUT_MS',
    default: '5000',
    description: 'How long a gateway write waits for its command result before 504',
    schema: durationMs(100, 120000),
  },
  {
    env: 'CAPACITY_GATEWAY_MAX_IN_FLIGHT',
    default: '2000',
    description:
      'Gateway: write commands waiting for results at once, at most; past it writes get 503 with Retry-After at once (reads are not bounded)',
    schema: positiveInt(1000000),
  },
  {
    env: 'CAPACITY_HISTORY_URL',
    default: undefined,
    description:
      "Gateway: the warehouse connector's URL (its metrics port, loopback) for pool history and ?asOf= reads (ADR 12); capacity start sets it; unset = those answer 503",
    schema: httpUrl.optional(),
  },
  // ---- access control of the HTTP API (README, Access control) ----
  {
    env: 'CAPACITY_AUTH',
    default: 'on',
    description:
      'Gateway access control: on (every /v1 call needs an API key or a JWT with the right role) or off (anyone may call anything; logged as a warning)',
    schema: z.enum(['on', 'off'], { message: 'must be on or off' }),
  },
  {
    env: 'CAPACITY_API_KEYS',
    default: undefined,
    description:
      'Gateway: API keys as <name>:<role>:sha256:<hex of the key>, comma-separated; roles reader, orders, planner (`capacity keys create` makes one)',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_API_KEYS_FILE',
    default: undefined,
    description:
      'Gateway: file of API keys, one <name>:<role>:sha256:<hex> per line (# comments); read at start',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_JWT_JWKS_URL',
    default: undefined,
    description:
      "Gateway: accept JWT bearer tokens signed by a key of this JWKS URL (the identity provider's)",
    schema: httpUrl.optional(),
  },
  {
    env: 'CAPACITY_JWT_ISSUER',
    default: undefined,
    description: 'Gateway: required "iss" of JWTs (required with CAPACITY_JWT_JWKS_URL)',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_JWT_AUDIENCE',
    default: undefined,
    description: 'Gateway: required "aud" of JWTs (required with CAPACITY_JWT_JWKS_URL)',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_JWT_ROLE_CLAIM',
    default: 'role',
    description: 'Gateway: JWT claim with the role (a string or an array; reader, orders, planner)',
    schema: z.string().min(1, 'must name a claim'),
  },
  {
    env: 'CAPACITY_JWT_NAME_CLAIM',
    default: 'sub',
    description: 'Gateway: JWT claim naming the caller in logs and command metadata',
    schema: z.string().min(1, 'must name a claim'),
  },
  {
    env: 'CAPACITY_API_KEY',
    default: undefined,
    description:
      'CLI (capacity history): the API key sent to the gateway; unset = the local planner key capacity start keeps in <CAPACITY_STATE_DIR>/local-api-keys.json',
    schema: optionalString,
    secret: true,
  },
  {
    env: 'CAPACITY_METRICS_AUTH',
    default: 'open',
    description:
      'Gateway /metrics: open, or required (any valid API key or JWT, any role); /healthz, /readyz stay open',
    schema: z.enum(['open', 'required'], { message: 'must be open or required' }),
  },
  {
    env: 'CAPACITY_SASL_MECHANISM',
    default: 'none',
    description:
      "SASL mechanism: none, plain, scram-sha-256 or scram-sha-512 (SASL_SSL with CAPACITY_TLS, else SASL_PLAINTEXT); a local stack made with 'capacity stack up --sasl' records its values in <CAPACITY_STACK_DIR>/data/kafka-sasl.env",
    schema: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'], {
      message: 'must be one of none, plain, scram-sha-256, scram-sha-512',
    }),
  },
  {
    env: 'CAPACITY_SASL_USERNAME',
    default: undefined,
    description: 'SASL user name (required with a SASL mechanism)',
    schema: optionalString,
  },
  {
    env: 'CAPACITY_SASL_PASSWORD',
    default: undefined,
    description: 'SASL password (required with a SASL mechanism)',
    schema: optionalString,
    secret: true,
  },
  {
    env: 'CAPACITY_TLS',
    default: 'false',
    description: 'Connect to Kafka with TLS (SSL, or SASL_SSL with a SASL mechanism)',
    schema: bool,
  },
  {
    env: 'CAPACITY_TLS_CA_FILE',
    default: undefined,
    description:
      "PEM file of CA certificates to trust for Kafka TLS (optional; unset = each client's default trust store)",
    schema: optionalString,
  },
  {
    env: 'CAPACITY_STACK_DIR',
    default: './.stack',
    description: 'Local stack cache: downloads, data, logs, pid files (git-ignored)',
    schema: z.string().min(1, 'must be a directory path'),
  },
  {
    env: 'CAPACITY_STACK_CONTROLLER_PORT',
    default: '9093',
    description:
      'Local stack: KRaft controller port; controller i of a three-broker stack (stack up --brokers 3) on this + i-1 (broker and registry ports come from CAPACITY_BROKERS and CAPACITY_REGISTRY_URL)',
    schema: port,
  },
  {
    env: 'CAPACITY_STACK_POSTGRES_PORT',
    default: '55432',
    description: 'Local stack: PostgreSQL port on loopback (warehouse for tests; same as docker-compose.yml)',
    schema: port,
  },
  {
    env: 'CAPACITY_WAREHOUSE_URL',
    default: undefined,
    description:
      'Connector: postgres://user:password@host:port/database to write to PostgreSQL (WAREHOUSE_URL also works); unset = DuckDB file',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    secret: true,
  },
  {
    env: 'CAPACITY_WAREHOUSE_DUCKDB_FILE',
    default: './data/warehouse.duckdb',
    description: 'Connector: DuckDB file written when no warehouse URL is set',
    schema: z.string().min(1, 'must be a file path'),
  },
  {
    env: 'CAPACITY_CONNECTOR_GROUP',
    default: 'capacity-connector',
    description: 'Connector consumer group (positions are kept in the warehouse under this name)',
    schema: nameToken('consumer group'),
  },
  {
    env: 'CAPACITY_CONNECTOR_BATCH_SIZE',
    default: '2000',
    description: 'Connector: rows per warehouse transaction at most (flushes earlier after the batch time)',
    schema: positiveInt(100000),
  },
  {
    env: 'CAPACITY_CONNECTOR_BATCH_MS',
    default: '500',
    description: 'Connector: longest time a consumed record waits before its batch is written',
    schema: durationMs(10, 60000),
  },
  {
    env: 'CAPACITY_CONNECTOR_RETRY_MS',
    default: '60000',
    description:
      'Connector: how long to retry an unreachable warehouse (with backoff) before exiting non-zero',
    schema: durationMs(0, 3600000),
  },
];
