// The local stack without Docker: a single-node KRaft broker and Apicurio Registry on loopback, from
// pinned Maven Central artifacts. `up` is idempotent, `down` stops exactly what `up` started.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { UnavailableError } from '../errors';
import { kafkaHealthy, portOpen, registryHealthy, waitFor } from './health';
import { ensureKafkaDistribution, ensureRegistryDistribution, versions } from './artifacts';
import { kafkaLog4j, kafkaProperties } from './kafkaProperties';
import {
  checkSaslSwitch,
  chooseStackCredentials,
  readStackSasl,
  saslNotes,
  scramFormatArgument,
  writeStackSasl,
  type StackSaslCredentials,
} from './kafkaSasl';
import { kafkaFormatted, stackEndpoints, stackLayout, type StackEndpoints, type StackLayout } from './layout';
import { postgresDown, postgresHealthy, postgresStack, postgresUp } from './postgres';
import { managedProcess, runningPid, startProcess, stopProcess, type ManagedProcess } from './processes';

export interface ComponentStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly address: string;
  readonly healthy: boolean;
  readonly startedByStack: boolean;
  readonly logFile: string;
  /** How clients log in, when they must (a SASL stack's broker). */
  readonly note?: string;
}

export interface StackStatus {
  readonly components: readonly ComponentStatus[];
  readonly root: string;
}

interface Stack {
  readonly layout: StackLayout;
  readonly endpoints: StackEndpoints;
  readonly kafka: ManagedProcess;
  readonly registry: ManagedProcess;
  /** The SCRAM user the broker's storage was formatted with; null for a plain stack. */
  readonly sasl: StackSaslCredentials | null;
}

function stackOf(config: Config): Stack {
  const layout = stackLayout(config);
  const marker = `-Dcapacity.stack=${layout.root}`;
  return {
    layout,
    endpoints: stackEndpoints(config),
    sasl: readStackSasl(layout.kafkaSaslEnv),
    kafka: managedProcess(layout.run, layout.logs, 'kafka', marker),
    registry: managedProcess(layout.run, layout.logs, 'registry', marker),
  };
}

// Modest heaps: the machine has 2 cores and runs the service next to the stack. The registry serves little
// traffic, so it skips the optimising JIT (C2) and starts faster.
const JVM_HEAP = {
  kafka: ['-Xms256m', '-Xmx768m'],
  registry: ['-Xms128m', '-Xmx384m', '-XX:TieredStopAtLevel=1'],
};
const JVM_COMMON = ['-XX:+UseSerialGC', '-Djava.awt.headless=true'];

function javaRun(stack: Stack, mainArgs: readonly string[], heap: readonly string[]): string[] {
  const props = join(stack.layout.run, 'log4j.properties');
  return [
    ...heap,
    ...JVM_COMMON,
    `-Dcapacity.stack=${stack.layout.root}`,
    `-Dlog4j.configuration=file:${props}`,
    '-cp',
    `${stack.layout.kafkaLibs}/*`,
    ...mainArgs,
  ];
}

async function runToCompletion(command: string, args: string[], cwd: string): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => reject(new UnavailableError(`could not run ${command}: ${e.message}`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new UnavailableError(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka makes them, never starting with "-" (the
 * storage tool would read such an id as an option and fail: "--cluster-id: expected one argument").
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Formats the KRaft log directory once; the cluster id is kept so the data survives restarts. A SASL
 * stack's SCRAM user is created here, in the metadata log's first records.
 */
async function formatKafkaStorage(stack: Stack): Promise<void> {
  if (kafkaFormatted(stack.layout)) return;
  mkdirSync(stack.layout.kafkaData, { recursive: true });
  const scram = stack.sasl ? ['--add-scram', scramFormatArgument(stack.sasl)] : [];
  const clusterId = newClusterId();
  await runToCompletion(
    'java',
    javaRun(
      stack,
      [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        join(stack.layout.run, 'kafka.properties'),
        ...scram,
      ],
      ['-Xmx256m'],
    ),
    stack.layout.root,
  );
}

export interface UpResult {
  /** Components this call started (empty when everything was already up). */
  readonly started: readonly string[];
  readonly status: StackStatus;
}

export interface UpOptions {
  /** A new cluster requires SASL/SCRAM-SHA-512 logins; an existing one keeps how it was formatted. */
  readonly sasl?: boolean;
  /** The broker alone: no registry, no PostgreSQL (for tests that need Kafka only). */
  readonly kafkaOnly?: boolean;
}

/**
 * Downloads what is missing, starts what is not running and waits until both answer. A component that
 * already answers on its port is left alone, whoever started it.
 */
export async function stackUp(
  config: Config,
  say: (line: string) => void = () => undefined,
  options: UpOptions = {},
): Promise<UpResult> {
  let stack = stackOf(config);
  const { layout, endpoints } = stack;
  const started: string[] = [];
  checkSaslSwitch(kafkaFormatted(layout), stack.sasl, options.sasl ?? false, layout.kafkaData);
  mkdirSync(layout.run, { recursive: true });
  mkdirSync(layout.logs, { recursive: true });

  const kafkaUp = await kafkaHealthy(stack.endpoints, stack.sasl);
  const registryUp = options.kafkaOnly ? true : await registryHealthy(endpoints);
  if (!kafkaUp && !runningPid(stack.kafka) && (await portOpen(endpoints.kafkaHost, endpoints.kafkaPort))) {
    throw new UnavailableError(
      `port ${endpoints.kafkaPort} is taken by a process that is not a Kafka broker`,
    );
  }
  const kafkaDist = kafkaUp ? null : ensureKafkaDistribution(layout, say);
  const registryDist = registryUp ? null : ensureRegistryDistribution(layout, say);
  await Promise.all([kafkaDist, registryDist]);

  const waits: Promise<void>[] = [];
  if (!kafkaUp && runningPid(stack.kafka) === null) {
    if (!kafkaFormatted(layout)) {
      // Recorded before formatting, so a SASL cluster never exists without its password on disk; a file
      // left from a deleted cluster goes when the new one is plain.
      const sasl = options.sasl ? chooseStackCredentials(config.sasl) : null;
      mkdirSync(layout.kafkaData, { recursive: true });
      writeStackSasl(layout.kafkaSaslEnv, sasl);
      stack = { ...stack, sasl };
    }
    const properties = join(layout.run, 'kafka.properties');
    // Owner-only: with SASL it holds the broker's own password.
    writeFileSync(properties, kafkaProperties(endpoints, layout.kafkaData, stack.sasl), { mode: 0o600 });
    writeFileSync(join(layout.run, 'log4j.properties'), kafkaLog4j(stack.sasl !== null));
    await formatKafkaStorage(stack);
    const pid = startProcess(
      stack.kafka,
      'java',
      javaRun(stack, ['kafka.Kafka', properties], JVM_HEAP.kafka),
      layout.root,
    );
    const security = stack.sasl ? ', SASL/SCRAM-SHA-512' : '';
    say(
      `started Kafka ${versions.kafka} (pid ${pid}) on ${endpoints.kafkaHost}:${endpoints.kafkaPort}${security}`,
    );
    started.push('kafka');
  }
  const kafkaStack = stack;
  if (!kafkaUp)
    waits.push(
      waitFor('Kafka broker', () => kafkaHealthy(kafkaStack.endpoints, kafkaStack.sasl), stack.kafka, 90_000),
    );

  if (!registryUp && runningPid(stack.registry) === null) {
    const jar = await ensureRegistryDistribution(layout, say);
    mkdirSync(layout.registryData, { recursive: true });
    const pid = startProcess(
      stack.registry,
      'java',
      [
        ...JVM_HEAP.registry,
        ...JVM_COMMON,
        `-Dcapacity.stack=${layout.root}`,
        `-Dquarkus.http.host=${endpoints.registryHost}`,
        `-Dquarkus.http.port=${endpoints.registryPort}`,
        // File-backed storage: schema ids must outlive a restart, as the Avro records in Kafka do.
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(layout.registryData, 'registry')}`,
        '-jar',
        jar,
      ],
      layout.root,
    );
    say(`started Apicurio Registry ${versions.apicurio} (pid ${pid}) on ${endpoints.registryUrl}`);
    started.push('registry');
  }
  if (!registryUp)
    waits.push(waitFor('Schema registry', () => registryHealthy(endpoints), stack.registry, 120_000));
  await Promise.all(waits);
  // PostgreSQL (the warehouse connector's database) is additive: if it cannot be installed or started, Kafka
  // and the registry still serve the rest of the service; `stack status` shows it down with the reason.
  try {
    if (!options.kafkaOnly && (await postgresUp(config, say))) started.push('postgres');
  } catch (error) {
    say(`PostgreSQL not started: ${(error as Error).message}`);
  }
  const warning = saslNotes(stack.sasl, config.sasl, layout.kafkaSaslEnv)?.warning;
  if (warning) say(warning);
  return { started, status: await stackStatus(config) };
}

/** Stops the processes this stack started (by pid file); anything else is left alone. */
export async function stackDown(
  config: Config,
  say: (line: string) => void = () => undefined,
): Promise<void> {
  const stack = stackOf(config);
  say(`postgres: ${await postgresDown(config)}`);
  for (const proc of [stack.registry, stack.kafka]) {
    const result = await stopProcess(proc);
    say(`${proc.name}: ${result}`);
  }
}

export async function stackStatus(config: Config): Promise<StackStatus> {
  const stack = stackOf(config);
  const { endpoints } = stack;
  const pg = postgresStack(config);
  const [kafkaOk, registryOk, postgresOk] = await Promise.all([
    kafkaHealthy(stack.endpoints, stack.sasl),
    registryHealthy(endpoints),
    postgresHealthy(pg.port),
  ]);
  const postgresPid = runningPid(pg.proc);
  const kafkaPid = runningPid(stack.kafka);
  const registryPid = runningPid(stack.registry);
  return {
    root: stack.layout.root,
    components: [
      {
        name: 'kafka',
        pid: kafkaPid,
        address: `${endpoints.kafkaHost}:${endpoints.kafkaPort}`,
        healthy: kafkaOk,
        startedByStack: kafkaPid !== null,
        logFile: stack.kafka.logFile,
        note: saslNotes(stack.sasl, config.sasl, stack.layout.kafkaSaslEnv)?.status,
      },
      {
        name: 'registry',
        pid: registryPid,
        address: endpoints.registryUrl,
        healthy: registryOk,
        startedByStack: registryPid !== null,
        logFile: stack.registry.logFile,
      },
      {
        name: 'postgres',
        pid: postgresPid,
        address: `127.0.0.1:${pg.port}`,
        healthy: postgresOk,
        startedByStack: postgresPid !== null,
        logFile: pg.proc.logFile,
      },
    ],
  };
}

/** Reads a stack log (for error messages and tests). */
export function readStackLog(config: Config, name: 'kafka' | 'registry'): string {
  const proc = name === 'kafka' ? stackOf(config).kafka : stackOf(config).registry;
  return existsSync(proc.logFile) ? readFileSync(proc.logFile, 'utf8') : '';
}
