import { ConfigError } from '../errors';
import { settings, type Setting } from './settings';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** The compiled configuration: validated once at start-up, durations carry their unit in the name. */
export interface Config {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly registryAuth: { readonly username: string; readonly password: string } | null;
  readonly topicPrefix: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly applicationId: string;
  readonly stateDir: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly sessionTimeoutMs: number;
  /** Standby copies per partition on other instances (0 = none). */
  readonly standbyReplicas: number;
  readonly requestTimeoutMs: number;
  /** Static group membership id of a processor instance; null = dynamic membership. */
  readonly instanceId: string | null;
  readonly maxCommandsPerCycle: number;
  readonly maxCycleMs: number;
  /** Booking cut-off and expiry (ADR 12). */
  readonly lifecycle: LifecycleConfig;
  readonly transactionTimeoutMs: number;
  /** Gateway load shedding: write commands waiting for results at once, at most. */
  readonly gatewayMaxInFlight: number;
  /** Gateway: the warehouse connector's URL for pool history (ADR 12); null = history answers 503. */
  readonly historyUrl: string | null;
  /** CLI: the API key `capacity history` sends; null = the local planner key. */
  readonly apiKey: string | null;
  readonly sasl: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    readonly password: string;
  } | null;
  readonly tls: { readonly caFile: string | null } | null;
  readonly stackDir: string;
  readonly stackControllerPort: number;
  /** The local stack's PostgreSQL port (CAPACITY_STACK_POSTGRES_PORT). */
  readonly stackPostgresPort: number;
  readonly auth: AuthConfig;
}

/** Access control of the gateway's HTTP API. Key specs are parsed where they are used (src/auth). */
export interface LifecycleConfig {
  readonly bookingCutoffMs: number;
  readonly expireAfterMs: number;
  readonly expiredPoolRetentionMs: number;
  readonly punctuateIntervalMs: number;
  readonly maxExpiriesPerPunctuation: number;
}

export interface AuthConfig {
  readonly enabled: boolean;
  /** CAPACITY_API_KEYS as given (comma-separated specs), or null. */
  readonly apiKeys: string | null;
  readonly apiKeysFile: string | null;
  readonly jwt: {
    readonly jwksUrl: string;
    readonly issuer: string;
    readonly audience: string;
    readonly roleClaim: string;
    readonly nameClaim: string;
  } | null;
  readonly metricsRequireAuth: boolean;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads every CAPACITY_* variable, applies defaults and validates them all, reporting every bad variable
 * by name in one ConfigError.
 */
export function loadConfig(env: Environment = process.env): Config {
  const problems: string[] = [];
  const values = new Map<string, unknown>();
  for (const setting of settings) {
    const raw = env[setting.env] === '' ? undefined : env[setting.env];
    const parsed = setting.schema.safeParse(raw ?? setting.default);
    if (parsed.success) values.set(setting.env, parsed.data);
    else
      problems.push(
        `${setting.env}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${show(setting, raw)})`,
      );
  }
  const get = <T>(name: string): T => values.get(name) as T;

  const saslMechanism = get<SaslMechanism | 'none'>('CAPACITY_SASL_MECHANISM');
  const saslUser = get<string | undefined>('CAPACITY_SASL_USERNAME');
  const saslPassword = get<string | undefined>('CAPACITY_SASL_PASSWORD');
  if (saslMechanism !== 'none' && (!saslUser || !saslPassword)) {
    problems.push(
      `CAPACITY_SASL_USERNAME and CAPACITY_SASL_PASSWORD: required when CAPACITY_SASL_MECHANISM=${saslMechanism}`,
    );
  }
  const registryUser = get<string | undefined>('CAPACITY_REGISTRY_USERNAME');
  const registryPassword = get<string | undefined>('CAPACITY_REGISTRY_PASSWORD');
  if (Boolean(registryUser) !== Boolean(registryPassword)) {
    problems.push('CAPACITY_REGISTRY_USERNAME and CAPACITY_REGISTRY_PASSWORD: set both or neither');
  }
  const jwksUrl = get<string | undefined>('CAPACITY_JWT_JWKS_URL');
  const jwtIssuer = get<string | undefined>('CAPACITY_JWT_ISSUER');
  const jwtAudience = get<string | undefined>('CAPACITY_JWT_AUDIENCE');
  if (jwksUrl && (!jwtIssuer || !jwtAudience)) {
    problems.push(
      'CAPACITY_JWT_ISSUER and CAPACITY_JWT_AUDIENCE: required with CAPACITY_JWT_JWKS_URL (tokens are checked against both)',
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`, { problems });
  }

  const tlsEnabled = get<boolean>('CAPACITY_TLS');
  return {
    brokers: get<string[]>('CAPACITY_BROKERS'),
    registryUrl: get<string>('CAPACITY_REGISTRY_URL'),
    registryAuth:
      registryUser && registryPassword ? { username: registryUser, password: registryPassword } : null,
    topicPrefix: get<string>('CAPACITY_TOPIC_PREFIX'),
    partitions: get<number>('CAPACITY_PARTITIONS'),
    replicationFactor: get<number>('CAPACITY_REPLICATION_FACTOR'),
    applicationId: get<string>('CAPACITY_APPLICATION_ID'),
    stateDir: get<string>('CAPACITY_STATE_DIR'),
    httpHost: get<string>('CAPACITY_HTTP_HOST'),
    httpPort: get<number>('CAPACITY_HTTP_PORT'),
    metricsPort: get<number>('CAPACITY_METRICS_PORT'),
    logLevel: get<LogLevel>('CAPACITY_LOG_LEVEL'),
    sessionTimeoutMs: get<number>('CAPACITY_SESSION_TIMEOUT_MS'),
    standbyReplicas: get<number>('CAPACITY_STANDBY_REPLICAS'),
    requestTimeoutMs: get<number>('CAPACITY_REQUEST_TIMEOUT_MS'),
    instanceId: get<string | undefined>('CAPACITY_INSTANCE_ID') ?? null,
    maxCommandsPerCycle: get<number>('CAPACITY_MAX_COMMANDS_PER_CYCLE'),
    maxCycleMs: get<number>('CAPACITY_MAX_CYCLE_MS'),
    lifecycle: {
      bookingCutoffMs: get<number>('CAPACITY_BOOKING_CUTOFF_MS'),
      expireAfterMs: get<number>('CAPACITY_EXPIRE_AFTER_MS'),
      expiredPoolRetentionMs: get<number>('CAPACITY_EXPIRED_POOL_RETENTION_MS'),
      punctuateIntervalMs: get<number>('CAPACITY_PUNCTUATE_INTERVAL_MS'),
      maxExpiriesPerPunctuation: get<number>('CAPACITY_MAX_EXPIRIES_PER_PUNCTUATION'),
    },
    transactionTimeoutMs: get<number>('CAPACITY_TRANSACTION_TIMEOUT_MS'),
    gatewayMaxInFlight: get<number>('CAPACITY_GATEWAY_MAX_IN_FLIGHT'),
    historyUrl: get<string | undefined>('CAPACITY_HISTORY_URL') ?? null,
    apiKey: get<string | undefined>('CAPACITY_API_KEY') ?? null,
    sasl:
      saslMechanism === 'none' || !saslUser || !saslPassword
        ? null
        : { mechanism: saslMechanism, username: saslUser, password: saslPassword },
    tls: tlsEnabled ? { caFile: get<string | undefined>('CAPACITY_TLS_CA_FILE') ?? null } : null,
    stackDir: get<string>('CAPACITY_STACK_DIR'),
    stackControllerPort: get<number>('CAPACITY_STACK_CONTROLLER_PORT'),
    stackPostgresPort: get<number>('CAPACITY_STACK_POSTGRES_PORT'),
    auth: {
      enabled: get<string>('CAPACITY_AUTH') === 'on',
      apiKeys: get<string | undefined>('CAPACITY_API_KEYS') ?? null,
      apiKeysFile: get<string | undefined>('CAPACITY_API_KEYS_FILE') ?? null,
      jwt:
        jwksUrl && jwtIssuer && jwtAudience
          ? {
              jwksUrl,
              issuer: jwtIssuer,
              audience: jwtAudience,
              roleClaim: get<string>('CAPACITY_JWT_ROLE_CLAIM'),
              nameClaim: get<string>('CAPACITY_JWT_NAME_CLAIM'),
            }
          : null,
      metricsRequireAuth: get<string>('CAPACITY_METRICS_AUTH') === 'required',
    },
  };
}

function show(setting: Setting, raw: string | undefined): string {
  if (raw === undefined) return 'nothing';
  return setting.secret ? '<hidden>' : JSON.stringify(raw);
}

/** The settings table as text, for `capacity --help`. */
export function describeSettings(): string {
  const width = Math.max(...settings.map((s) => s.env.length));
  return settings
    .map(
      (s) =>
        `  ${s.env.padEnd(width)}  ${s.description}${s.default === undefined ? '' : ` (default: ${s.default})`}`,
    )
    .join('\n');
}
