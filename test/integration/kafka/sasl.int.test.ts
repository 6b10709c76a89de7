// Kafka with SASL/SCRAM-SHA-512, as `capacity stack up --sasl` runs it: the service's clients log in with the
// user the stack recorded (through the env file a user sources, then the service's own config and clients),
// and a client without credentials or with a wrong password is refused, by the broker, for that reason.
// Its own stack (broker only) in a scratch folder on free ports; the shared stack is not touched, and the
// test stops only the broker it started, through the stack's own `down`.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig, type Config } from '../../../src/config';
import { readStackSasl, stackLayout } from '../../../src/devstack';
import { createKafka, readToEnd, type Kafka } from '../../../src/kafka';
import type { Logger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { freePort, scratchDir } from '../../support/serviceProcess';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../../bin/capacity.js');
const stackDir = scratchDir('sasl-stack');
const sharedStack = resolve(loadConfig().stackDir);
let env: Record<string, string>;
let envFile: string;

/** `capacity …` with the stack's env file sourced first, exactly as the README tells a user to. */
const capacity = (args: string, options: { source?: boolean } = {}) =>
  run('sh', ['-c', `${options.source ? `set -a; . '${envFile}'; set +a; ` : ''}exec node '${cli}' ${args}`], {
    env: { ...process.env, ...env },
    timeout: 180_000,
  });

/** Fails (with its output) instead of throwing execFile's error, so a failed step shows why. */
const outcome = (p: Promise<{ stdout: string; stderr: string }>) =>
  p.then(
    (r) => ({ code: 0, ...r }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );

beforeAll(async () => {
  // Reuse the Kafka jars the shared stack downloaded; data, logs and pids are this test's own.
  if (existsSync(join(sharedStack, 'kafka')))
    symlinkSync(join(sharedStack, 'kafka'), join(stackDir, 'kafka'));
  mkdirSync(join(stackDir, 'run'), { recursive: true });
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [kafka, controller, registry, postgres] = [...ports];
  env = {
    CAPACITY_STACK_DIR: stackDir,
    CAPACITY_BROKERS: `127.0.0.1:${kafka}`,
    CAPACITY_STACK_CONTROLLER_PORT: String(controller),
    // Not started (--kafka-only), but the stack's own ports must not be the shared stack's.
    CAPACITY_REGISTRY_URL: `http://127.0.0.1:${registry}/apis/ccompat/v7`,
    CAPACITY_STACK_POSTGRES_PORT: String(postgres),
    CAPACITY_TOPIC_PREFIX: uniqueName('sasl'),
    CAPACITY_PARTITIONS: '2',
    CAPACITY_LOG_LEVEL: 'warn',
    // Whatever the caller's shell has, this stack's user is generated.
    CAPACITY_SASL_MECHANISM: '',
    CAPACITY_SASL_USERNAME: '',
    CAPACITY_SASL_PASSWORD: '',
  };
  envFile = stackLayout(loadConfig(env)).kafkaSaslEnv;
});

afterAll(async () => {
  await outcome(capacity('stack down'));
  rmSync(stackDir, { recursive: true, force: true });
});

/** The service's config from this test's environment plus `overrides` (e.g. another login). */
const configWith = (overrides: Record<string, string> = {}): Config =>
  loadConfig({ ...process.env, ...env, ...overrides });

/** A service client whose Kafka log lines (librdkafka's included) are kept for the assertions. */
function kafkaWithLog(config: Config): { kafka: Kafka; log: string[] } {
  const log: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void log.push(line) }) as Logger;
  return {
    kafka: createKafka(config, { clientId: uniqueName('sasl-client'), logger, requestTimeoutMs: 5000 }),
    log,
  };
}

/** The broker's log; a test reads what was added during its own client's attempt. */
const brokerLog = () => readFileSync(join(stackDir, 'logs', 'kafka.log'), 'utf8');

/** Lists topics with a short timeout; the error when the broker refuses. */
async function listTopicsError(kafka: Kafka): Promise<Error | null> {
  const admin = kafka.kafkaJS.admin();
  try {
    await admin.connect();
    await admin.listTopics({ timeout: 8000 });
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

test('stack up --sasl formats the broker with a SCRAM user and records it for the service', async () => {
  const up = await outcome(capacity('stack up --sasl --kafka-only'));
  expect(up).toMatchObject({ code: 0 });
  expect(up.stdout).toMatch(/started Kafka \S+ \(pid \d+\) on 127\.0\.0\.1:\d+, SASL\/SCRAM-SHA-512/);
  // This shell has no login yet: up says where it is.
  expect(up.stdout).toContain(`load them: set -a; . ${envFile}; set +a`);
  expect(up.stdout).toMatch(/kafka\s+up\s+.*\n\s+SASL_PLAINTEXT, SCRAM-SHA-512 user capacity; settings: /);

  expect(statSync(envFile).mode & 0o777).toBe(0o600);
  const recorded = readStackSasl(envFile);
  expect(recorded).toMatchObject({ mechanism: 'scram-sha-512', username: 'capacity' });
  expect(recorded?.password.length).toBeGreaterThanOrEqual(24);
  const properties = readFileSync(join(stackDir, 'run', 'kafka.properties'), 'utf8');
  expect(properties).toContain(`listeners=SASL_PLAINTEXT://${env.CAPACITY_BROKERS}`);
  expect(properties).toContain('inter.broker.listener.name=SASL_PLAINTEXT');
});

test('the service logs in with the recorded user: topics create, a committed transaction, a read_committed read', async () => {
  const first = await outcome(capacity('topics create', { source: true }));
  expect(first).toMatchObject({ code: 0 });
  expect(first.stdout).toContain(`created  ${env.CAPACITY_TOPIC_PREFIX}.commands`);
  // The second run checks the existing topics' configs through @platformatic/kafka: its login too.
  const second = await outcome(capacity('topics create', { source: true }));
  expect(second).toMatchObject({ code: 0 });
  expect(second.stdout).toContain(`exists   ${env.CAPACITY_TOPIC_PREFIX}.commands`);

  const recorded = readStackSasl(envFile);
  const config = configWith({
    CAPACITY_SASL_MECHANISM: recorded?.mechanism ?? '',
    CAPACITY_SASL_USERNAME: recorded?.username ?? '',
    CAPACITY_SASL_PASSWORD: recorded?.password ?? '',
  });
  const { kafka } = kafkaWithLog(config);
  const topic = `${config.topicPrefix}.events`;
  // A transaction's commit markers go through the inter-broker listener: this proves the broker logs in to
  // itself as well.
  const producer = kafka.kafkaJS.producer({
    kafkaJS: { transactionalId: uniqueName('sasl-tx'), idempotent: true },
  });
  await producer.connect();
  try {
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'pool-1', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'pool-1', value: 'committed' }] });
    await committed.commit();
  } finally {
    await producer.disconnect();
  }
  const values: string[] = [];
  const ranges = [0, 1].map((partition) => ({ topic, partition, fromOffset: null }));
  await readToEnd(kafka, uniqueName('sasl-reader'), ranges, async (records) => {
    for (const r of records) values.push(r.value?.toString() ?? '');
  });
  expect(values).toEqual(['committed']);
});

const HANDSHAKE_SKIPPED = '(Unexpected Kafka request of type METADATA during SASL handshake.)';

test('a client without credentials is refused: the broker closes it for skipping the SASL handshake', async () => {
  const before = brokerLog().length;
  const { kafka, log } = kafkaWithLog(configWith());
  const error = await listTopicsError(kafka);
  // The client only sees its connection closed right after the version exchange (state UP), never a
  // refused connection: the reason is in the broker's log.
  expect(error).toMatchObject({ name: 'KafkaJSConnectionError', type: 'ERR__TRANSPORT' });
  expect(log.join('\n')).toMatch(/Disconnected: connection closed by peer: .* in state UP/);
  const refusals = brokerLog()
    .slice(before)
    .split('\n')
    .filter((line) => line.includes('Failed authentication with /127.0.0.1'));
  expect(refusals.length).toBeGreaterThan(0);
  expect(refusals.filter((line) => !line.includes(HANDSHAKE_SKIPPED))).toEqual([]);
});

test('a wrong password is refused as invalid SCRAM-SHA-512 credentials, on both sides', async () => {
  const before = brokerLog().length;
  const { kafka, log } = kafkaWithLog(
    configWith({
      CAPACITY_SASL_MECHANISM: 'scram-sha-512',
      CAPACITY_SASL_USERNAME: 'capacity',
      CAPACITY_SASL_PASSWORD: 'not-the-password',
    }),
  );
  const error = await listTopicsError(kafka);
  expect(error).toMatchObject({ name: 'KafkaJSConnectionError', type: 'ERR__TRANSPORT' });
  const reason =
    'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512';
  expect(log.join('\n')).toContain(`SASL authentication error: ${reason}`);
  expect(brokerLog().slice(before)).toMatch(
    new RegExp(`Failed authentication with /127\\.0\\.0\\.1 \\(.*\\) \\(${reason}\\)`),
  );
});

test('the cluster stays SASL: stack up without --sasl is a no-op, status shows the login, down stops the broker', async () => {
  const again = await outcome(capacity('stack up --kafka-only', { source: true }));
  expect(again).toMatchObject({ code: 0 });
  expect(again.stdout).toContain('stack already up; nothing started');
  expect(again.stdout).not.toContain('load them');

  const pid = Number(readFileSync(join(stackDir, 'run', 'kafka.pid'), 'utf8'));
  const status = await outcome(capacity('stack status'));
  expect(status.code).toBe(3); // the registry and PostgreSQL are not part of a --kafka-only stack
  expect(status.stdout).toMatch(new RegExp(`kafka\\s+up\\s+${env.CAPACITY_BROKERS}\\s+pid ${pid}`));
  expect(status.stdout).toContain(`SASL_PLAINTEXT, SCRAM-SHA-512 user capacity; settings: ${envFile}`);

  const down = await outcome(capacity('stack down'));
  expect(down.stdout).toMatch(/kafka: (stopped|killed)/);
  // Gone, or a zombie (an empty command line) where nothing reaps orphans.
  expect(existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0).toBe(false);
});

test('--sasl on a cluster formatted without SASL is refused before anything starts, saying what to do', async () => {
  // A formatted plain cluster, as far as the stack can tell (its storage's meta.properties, no SASL file).
  const plainDir = scratchDir('plain-stack');
  mkdirSync(join(plainDir, 'data', 'kafka'), { recursive: true });
  writeFileSync(join(plainDir, 'data', 'kafka', 'meta.properties'), 'node.id=1\n');
  try {
    const refused = await outcome(
      run('node', [cli, 'stack', 'up', '--sasl', '--kafka-only'], {
        env: { ...process.env, ...env, CAPACITY_STACK_DIR: plainDir },
        timeout: 60_000,
      }),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('capacity: CONFIG_INVALID: --sasl: ');
    expect(refused.stderr).toContain(`was formatted without SASL`);
    expect(refused.stderr).toContain(`delete ${join(plainDir, 'data', 'kafka')}`);
    expect(existsSync(join(plainDir, 'run', 'kafka.pid'))).toBe(false);
  } finally {
    rmSync(plainDir, { recursive: true, force: true });
  }
});
