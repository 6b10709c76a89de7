import { resolve, join } from 'node:path';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import { bareHost, checkLocalHost, localAddresses } from './localAddresses';

/** Brokers of a local stack: one (the default) or a three-node KRaft cluster (ADR 13). */
export type BrokerCount = 1 | 3;

/** Where the local stack keeps everything; all of it under one git-ignored folder. */
export interface StackLayout {
  readonly root: string;
  readonly downloads: string;
  readonly kafkaLibs: string;
  readonly registryHome: string;
  /** The single broker's log dir; a three-broker stack has data/kafka-<node id> instead. */
  readonly kafkaData: string;
  /** How the Kafka cluster was formatted: broker count and cluster id (kafkaCluster.ts). */
  readonly kafkaCluster: string;
  readonly registryData: string;
  /** CAPACITY_SASL_* of a stack formatted with SASL (kafkaSasl.ts); absent for a plain one. */
  readonly kafkaSaslEnv: string;
  readonly logs: string;
  readonly run: string;
}

/** Where one broker (a combined broker + controller node) listens. */
export interface BrokerEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
}

export interface StackEndpoints {
  /** Broker 1's host, client port and controller port (the only broker of a single-broker stack). */
  readonly kafkaHost: string;
  readonly kafkaPort: number;
  readonly controllerPort: number;
  /** Every broker of the stack, by node id (1..n). */
  readonly brokers: readonly BrokerEndpoint[];
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
    kafkaCluster: join(root, 'data', 'kafka-cluster.properties'),
    registryData: join(root, 'data', 'registry'),
    // Next to the broker's data: the user exists only in that cluster, so both go when data/ is deleted.
    kafkaSaslEnv: join(root, 'data', 'kafka-sasl.env'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
  };
}

function splitAddress(address: string): { host: string; port: number } {
  const split = address.lastIndexOf(':');
  const host = address.slice(0, split);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(address.slice(split + 1)) };
}

/**
 * Broker i's address: the i-th entry of CAPACITY_BROKERS when it lists exactly one per broker, otherwise the
 * first entry's host on its port + i - 1. Controller i is on CAPACITY_STACK_CONTROLLER_PORT + i - 1, on
 * broker i's host.
 */
function brokerEndpoints(config: Config, count: BrokerCount): BrokerEndpoint[] {
  const first = splitAddress(config.brokers[0] ?? '');
  return Array.from({ length: count }, (_, index) => {
    const own = config.brokers.length === count ? splitAddress(config.brokers[index] ?? '') : null;
    return {
      nodeId: index + 1,
      host: own?.host ?? first.host,
      port: own?.port ?? first.port + index,
      controllerPort: config.stackControllerPort + index,
    };
  });
}

/** Every port the stack would bind must differ; says which, and for three brokers where they could go. */
function checkDistinctPorts(brokers: readonly BrokerEndpoint[], registryPort: number): void {
  const ports = [...brokers.flatMap((b) => [b.port, b.controllerPort]), registryPort];
  if (new Set(ports).size === ports.length) return;
  const list = (values: number[]) => values.join(', ');
  const hint =
    brokers.length > 1
      ? `; e.g. CAPACITY_STACK_CONTROLLER_PORT=${Math.max(...brokers.map((b) => b.port)) + 1} puts the ` +
        'controllers right after the brokers'
      : '';
  throw new ConfigError(
    'CAPACITY_STACK_CONTROLLER_PORT, CAPACITY_BROKERS and CAPACITY_REGISTRY_URL must give every port of the ' +
      `local stack its own number, but brokers use ${list(brokers.map((b) => b.port))}, controllers ` +
      `${list(brokers.map((b) => b.controllerPort))} and the registry ${registryPort}${hint}`,
  );
}

/**
 * The local stack listens where the config says clients connect, on loopback or an address of a local
 * interface (localAddresses.ts). `local` is injectable for tests.
 */
export function stackEndpoints(
  config: Config,
  brokerCount: BrokerCount = 1,
  local: ReadonlySet<string> = localAddresses(),
): StackEndpoints {
  const brokers = brokerEndpoints(config, brokerCount);
  for (const broker of brokers) {
    const entry = `${broker.host}:${broker.port}`;
    checkLocalHost('CAPACITY_BROKERS', broker.host, `broker ${broker.nodeId} is ${entry}`, local);
  }
  const url = new URL(config.registryUrl);
  const registryHost = bareHost(url.hostname) === 'localhost' ? '127.0.0.1' : url.hostname;
  checkLocalHost('CAPACITY_REGISTRY_URL', registryHost, `the registry host is ${url.hostname}`, local);
  const registryPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  checkDistinctPorts(brokers, registryPort);
  const first = brokers[0] as BrokerEndpoint;
  return {
    kafkaHost: first.host,
    kafkaPort: first.port,
    controllerPort: first.controllerPort,
    brokers,
    registryHost,
    registryPort,
    registryUrl: config.registryUrl,
  };
}
