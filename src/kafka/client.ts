// One place that turns our Config into clients of @confluentinc/kafka-javascript (librdkafka): its
// KafkaJS-style API for producers and admin, and its librdkafka-style API where we need what the KafkaJS
// style lacks (manual assignment, rebalance callbacks, consuming across partitions in one call).
import { readFileSync } from 'node:fs';
import { KafkaJS, type GlobalConfig } from '@confluentinc/kafka-javascript';
import type { Config } from '../config';
import type { Logger } from '../observability';

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly logger: Logger;
  /** Per-request timeout; short values make "broker unavailable" fail fast. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly retries?: number;
}

/** What every client of one service process shares: where the cluster is, how to log in, where to log. */
export interface Kafka {
  /** The KafkaJS-compatible entry point (producers, admin, group consumers). */
  readonly kafkaJS: KafkaJS.Kafka;
  /** librdkafka properties for clients made with the librdkafka-style API (bootstrap, security, id). */
  readonly rdkafka: Readonly<GlobalConfig>;
  /** The cluster settings, for the one call made with another client (topicConfigs.ts). */
  readonly cluster: {
    readonly brokers: readonly string[];
    readonly sasl: Config['sasl'];
    readonly tls: { readonly caFile: string | null; readonly caFileContents: string | null } | null;
  };
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
}

/** librdkafka's syslog levels (0 emerg … 7 debug) to our logger. */
function logRdkafka(log: Logger, entry: { severity: number; fac: string; message: string }): void {
  const fields = { facility: entry.fac };
  if (entry.severity <= 4) log.warn(fields, entry.message);
  else if (entry.severity <= 6) log.debug(fields, entry.message);
  else log.trace(fields, entry.message);
}

/** The KafkaJS-style logger interface, on our logger (librdkafka's own lines come through here too). */
function kafkaJSLogger(log: Logger): KafkaJS.Logger {
  const adapter: KafkaJS.Logger = {
    info: (message, extra) => log.debug(extra ?? {}, message),
    // The client logs retriable conditions (coordinator loading, rebalancing) as errors before retrying
    // them; our own code logs the errors that reach it.
    error: (message, extra) => log.warn(extra ?? {}, message),
    warn: (message, extra) => log.warn(extra ?? {}, message),
    debug: (message, extra) => log.trace(extra ?? {}, message),
    namespace: () => adapter,
    setLogLevel: () => undefined,
  };
  return adapter;
}

export function createKafka(config: Config, options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafka' });
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const rdkafka: GlobalConfig = {
    'bootstrap.servers': config.brokers.join(','),
    'client.id': options.clientId,
    'socket.connection.setup.timeout.ms': Math.max(1000, options.connectionTimeoutMs ?? 3000),
    'socket.keepalive.enable': true,
    // A dead broker is noticed in seconds, not after the default 60 s request timeout.
    'socket.timeout.ms': Math.max(10, requestTimeoutMs),
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 2000,
    'retry.backoff.ms': 100,
    'retry.backoff.max.ms': 1000,
    'topic.metadata.refresh.interval.ms': 30_000,
    log_level: 6,
  };
  if (config.tls) {
    rdkafka['security.protocol'] = config.sasl ? 'sasl_ssl' : 'ssl';
    if (config.tls.caFile) rdkafka['ssl.ca.location'] = config.tls.caFile;
  } else if (config.sasl) {
    rdkafka['security.protocol'] = 'sasl_plaintext';
  }
  if (config.sasl) {
    rdkafka['sasl.mechanisms'] = config.sasl.mechanism.toUpperCase();
    rdkafka['sasl.username'] = config.sasl.username;
    rdkafka['sasl.password'] = config.sasl.password;
  }
  const { 'bootstrap.servers': _bootstrap, ...common } = rdkafka;
  const kafkaJS = new KafkaJS.Kafka({
    ...common,
    kafkaJS: {
      brokers: [...config.brokers],
      logger: kafkaJSLogger(log),
      logLevel: KafkaJS.logLevel.WARN,
    },
  });
  const tls = config.tls
    ? {
        caFile: config.tls.caFile,
        caFileContents: config.tls.caFile ? readFileSync(config.tls.caFile, 'utf8') : null,
      }
    : null;
  return {
    kafkaJS,
    rdkafka,
    cluster: { brokers: config.brokers, sasl: config.sasl, tls },
    logger: log,
    requestTimeoutMs,
  };
}

/** Routes a librdkafka-style client's log events into our logger. */
export function routeLogs(
  client: {
    on(
      event: 'event.log',
      listener: (entry: { severity: number; fac: string; message: string }) => void,
    ): unknown;
  },
  log: Logger,
): void {
  client.on('event.log', (entry) => logRdkafka(log, entry));
}
