// The local stack without Docker: a single-node KRaft broker and Apicurio Registry on loopback, from
// pinned Maven Central artifacts. `up` is idempotent, `down` stops exactly what `up` started.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../config';
import { UnavailableError } from '../errors';
import { brokerAnswers } from '../kafka';
import { ensureKafkaDistribution, ensureRegistryDistribution, versions } from './artifacts';
import { stackEndpoints, stackLayout, type StackEndpoints, type StackLayout } from './layout';
import { postgresDown, postgresHealthy, postgresStack, postgresUp } from './postgres';
import { managedProcess, runningPid, startProcess, stopProcess, type ManagedProcess } from './processes';

export interface ComponentStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly address: string;
  readonly healthy: boolean;
  readonly startedByStack: boolean;
  readonly logFile: string;
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
}

function stackOf(config: Config): Stack {
  const layout = stackLayout(config);
  const marker = `-Dcapacity.stack=${layout.root}`;
  return {
    layout,
    endpoints: stackEndpoints(config),
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

function kafkaProperties(stack: Stack): string {
  const { kafkaHost, kafkaPort, controllerPort } = stack.endpoints;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${kafkaHost}:${controllerPort}`,
    `listeners=PLAINTEXT://${kafkaHost}:${kafkaPort},CONTROLLER://${kafkaHost}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${kafkaHost}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${stack.layout.kafkaData}`,
    'num.partitions=1',
    // Single node: internal topics cannot be replicated; fewer partitions start faster.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    // Processors detect a crashed instance within seconds (docs/adr/0008-crash-detection.md): the
    // broker's default floor of 6 s would refuse their session timeout.
    'group.min.session.timeout.ms=1000',
    // A crashed processor's open transaction is aborted soon after its timeout, not up to a minute later.
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
    // Topics are created explicitly (`capacity topics create`), never by a typo in a producer.
    'auto.create.topics.enable=false',
    'log.cleaner.backoff.ms=5000',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.org.apache.kafka=WARN',
  'log4j.logger.kafka.log.LogCleaner=WARN',
  '',
].join('\n');

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

/** Formats the KRaft log directory once; the cluster id is kept so the data survives restarts. */
async function formatKafkaStorage(stack: Stack): Promise<void> {
  if (existsSync(join(stack.layout.kafkaData, 'meta.properties'))) return;
  mkdirSync(stack.layout.kafkaData, { recursive: true });
  const clusterId = randomBytes(16).toString('base64url');
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
      ],
      ['-Xmx256m'],
    ),
    stack.layout.root,
  );
}

function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The broker is healthy when it answers a Kafka ApiVersions request (not merely an open port). */
async function kafkaHealthy(endpoints: StackEndpoints): Promise<boolean> {
  if (!(await portOpen(endpoints.kafkaHost, endpoints.kafkaPort))) return false;
  return brokerAnswers(`${endpoints.kafkaHost}:${endpoints.kafkaPort}`);
}

async function registryHealthy(endpoints: StackEndpoints): Promise<boolean> {
  try {
    const response = await fetch(`${endpoints.registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  proc: ManagedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (runningPid(proc) === null) {
      throw new UnavailableError(`${what} exited during start-up; see ${proc.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new UnavailableError(
    `${what} did not become healthy within ${timeoutMs / 1000}s; see ${proc.logFile}`,
  );
}

export interface UpResult {
  /** Components this call started (empty when everything was already up). */
  readonly started: readonly string[];
  readonly status: StackStatus;
}

/**
 * Downloads what is missing, starts what is not running and waits until both answer. A component that
 * already answers on its port is left alone, whoever started it.
 */
export async function stackUp(
  config: Config,
  say: (line: string) => void = () => undefined,
): Promise<UpResult> {
  const stack = stackOf(config);
  const { layout, endpoints } = stack;
  const started: string[] = [];
  mkdirSync(layout.run, { recursive: true });
  mkdirSync(layout.logs, { recursive: true });

  const kafkaUp = await kafkaHealthy(endpoints);
  const registryUp = await registryHealthy(endpoints);
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
    writeFileSync(join(layout.run, 'kafka.properties'), kafkaProperties(stack));
    writeFileSync(join(layout.run, 'log4j.properties'), LOG4J);
    await formatKafkaStorage(stack);
    const pid = startProcess(
      stack.kafka,
      'java',
      javaRun(stack, ['kafka.Kafka', join(layout.run, 'kafka.properties')], JVM_HEAP.kafka),
      layout.root,
    );
    say(`started Kafka ${versions.kafka} (pid ${pid}) on ${endpoints.kafkaHost}:${endpoints.kafkaPort}`);
    started.push('kafka');
  }
  if (!kafkaUp) waits.push(waitFor('Kafka broker', () => kafkaHealthy(endpoints), stack.kafka, 90_000));

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
    if (await postgresUp(config, say)) started.push('postgres');
  } catch (error) {
    say(`PostgreSQL not started: ${(error as Error).message}`);
  }
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
    kafkaHealthy(endpoints),
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
