import { existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type { Config } from '../config';
import { ConfigError } from '../errors';

/** Where the local stack keeps everything; all of it under one git-ignored folder. */
export interface StackLayout {
  readonly root: string;
  readonly downloads: string;
  readonly kafkaLibs: string;
  readonly registryHome: string;
  readonly kafkaData: string;
  readonly registryData: string;
  /** CAPACITY_SASL_* of a stack formatted with SASL (kafkaSasl.ts); absent for a plain one. */
  readonly kafkaSaslEnv: string;
  readonly logs: string;
  readonly run: string;
}

export interface StackEndpoints {
  readonly kafkaHost: string;
  readonly kafkaPort: number;
  readonly controllerPort: number;
  readonly registryHost: string;
  readonly registryPort: number;
  /** Registry URL of the Confluent-compatible API, as clients use it. */
  readonly registryUrl: string;
}

export function stackLayout(config: Config): StackLayout {
  const root = resolve(config.stackDir);
  return {
    root,
    downloads: join(root, 'downloads'),
    kafkaLibs: join(root, 'kafka', 'libs'),
    registryHome: join(root, 'apicurio'),
    kafkaData: join(root, 'data', 'kafka'),
    registryData: join(root, 'data', 'registry'),
    // Next to the broker's data: the user exists only in that cluster, so both go when data/ is deleted.
    kafkaSaslEnv: join(root, 'data', 'kafka-sasl.env'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
  };
}

/** True once the broker's storage is formatted (its cluster id, and a SASL stack's user, are fixed). */
export function kafkaFormatted(layout: StackLayout): boolean {
  return existsSync(join(layout.kafkaData, 'meta.properties'));
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The local stack listens where the config says clients connect; only loopback addresses are allowed. */
export function stackEndpoints(config: Config): StackEndpoints {
  const broker = config.brokers[0] ?? '';
  const split = broker.lastIndexOf(':');
  const kafkaHost = broker.slice(0, split);
  const kafkaPort = Number(broker.slice(split + 1));
  if (!LOOPBACK.has(kafkaHost)) {
    throw new ConfigError(
      `CAPACITY_BROKERS: the local stack only runs on loopback, but the first broker is ${broker}; ` +
        'unset CAPACITY_BROKERS or point it at 127.0.0.1:<port>',
    );
  }
  const url = new URL(config.registryUrl);
  if (!LOOPBACK.has(url.hostname)) {
    throw new ConfigError(
      `CAPACITY_REGISTRY_URL: the local stack only runs on loopback, but the registry host is ${url.hostname}`,
    );
  }
  const registryPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (config.stackControllerPort === kafkaPort || registryPort === kafkaPort) {
    throw new ConfigError(
      `CAPACITY_STACK_CONTROLLER_PORT, CAPACITY_BROKERS and CAPACITY_REGISTRY_URL must use three different ports`,
    );
  }
  return {
    kafkaHost: kafkaHost === 'localhost' ? '127.0.0.1' : kafkaHost,
    kafkaPort,
    controllerPort: config.stackControllerPort,
    registryHost: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname,
    registryPort,
    registryUrl: config.registryUrl,
  };
}
