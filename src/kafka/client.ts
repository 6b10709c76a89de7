import { readFileSync } from 'node:fs';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Config } from '../config';
import type { Logger } from '../observability';

export type { Kafka };

/** Routes kafkajs' own log lines into our logger under the 'kafkajs' namespace. */
function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      // kafkajs logs retriable conditions (coordinator loading, rebalancing) as errors before retrying
      // them; our own code logs the errors that reach it, so kafkajs' are warnings here.
      // "Limiting retries for the idempotent producer may invalidate EoS guarantees": our retries are bounded
      // on purpose (fail fast, 503); a failed send is retried by the caller with the same idempotency key
      // and a failed transaction is aborted, so no guarantee depends on kafkajs retrying forever.
      if (message.startsWith('Limiting retries for the idempotent producer')) log.debug(rest, message);
      else if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) log.warn(rest, message);
      else if (level === KafkaLogLevel.INFO) log.info(rest, message);
      else log.debug(rest, message);
    };
}

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly logger: Logger;
  /** Per-request timeout; short values make "broker unavailable" fail fast. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly retries?: number;
}

/** One place that turns our Config into a kafkajs client (brokers, SASL, TLS, logging, retries). */
export function createKafka(config: Config, options: KafkaClientOptions): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...config.brokers],
    logCreator: kafkaLogCreator(options.logger),
    logLevel: KafkaLogLevel.WARN,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 5000 },
  };
  if (config.tls) {
    kafkaConfig.ssl = config.tls.caFile ? { ca: [readFileSync(config.tls.caFile, 'utf8')] } : true;
  }
  if (config.sasl) {
    const { mechanism, username, password } = config.sasl;
    kafkaConfig.sasl = { mechanism, username, password } as KafkaConfig['sasl'];
  }
  return new Kafka(kafkaConfig);
}
