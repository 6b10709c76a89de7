// HTTP fuzzing from the gateway's own /openapi.json with schemathesis (PyPI; dev/fuzz-tools.sh installs the
// pinned version into .tools/schemathesis). A processor, a warehouse connector and a gateway are started as
// users start them, with access control on and the test keys. Every operation gets generated requests, valid
// and invalid ones, in all of schemathesis's phases, and every answer is checked: no 5xx, only documented
// status codes, the documented media type (every 4xx application/problem+json) and a body and headers that
// validate against the document; invalid requests must be refused, operations without credentials too.
//
// Reproducible: a fixed seed. Another seed or more examples, e.g.
//   CAPACITY_FUZZ_SEED=7 CAPACITY_FUZZ_EXAMPLES=100 npx jest test/e2e/fuzz.e2e.test.ts
// On a failure the test prints schemathesis's report (each finding with a curl line that reproduces it).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_CAPACITY } from '../../src/domain';
import { TEST_KEYS } from '../support/apiKeys';
import { gatewayApi, waitForReady } from '../support/gatewayApi';
import { duckdbWarehouseEnv } from '../support/history';
import { uniqueName } from '../support/names';
import { serviceEnv } from '../support/serviceEnv';
import { freePort, scratchDir, ServiceProcess } from '../support/serviceProcess';

const SEED = Number(process.env.CAPACITY_FUZZ_SEED ?? 20261204);
/** Test cases per operation and phase (schemathesis --max-examples). */
const MAX_EXAMPLES = Number(process.env.CAPACITY_FUZZ_EXAMPLES ?? 50);
/** The whole schemathesis run, at most: then it is killed and the test fails with what it printed. */
const RUN_LIMIT_MS = Number(process.env.CAPACITY_FUZZ_LIMIT_MS ?? 420_000);
/**
 * The gateway's wait for a command result and for the read model (CAPACITY_REQUEST_TIMEOUT_MS): long enough
 * for every write on a loaded machine. A read asking for a version no pool reaches (?minVersion=,
 * consistencyToken) waits this long, so those are mostly drawn from versions that exist (config()).
 */
const GATEWAY_TIMEOUT_MS = 10_000;

let base = '';
const started: ServiceProcess[] = [];
/** What the run starts from: pools of one zone on one day, open for booking, and reservations in them. */
const known = { zone: '', pools: [] as string[], closing: [] as string[], reservations: [] as string[] };
const DAY = '2030-05-06';

beforeAll(async () => {
  const env = await serviceEnv();
  started.push(await env.startProcessor('fuzz-processor'));
  // Pool history and ?asOf= reads come from the warehouse connector (ADR 12); without one they are 503.
  const connector = await ServiceProcess.start('connector', 'fuzz-connector', {
    ...env.processorEnv('fuzz-connector'),
    ...duckdbWarehouseEnv(),
  });
  started.push(connector);
  await waitForReady(`http://127.0.0.1:${connector.metricsPort}/healthz`, connector);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway = await ServiceProcess.start('gateway', 'fuzz-gateway', {
    ...env.processorEnv('fuzz-gateway'),
    CAPACITY_HTTP_PORT: String(port),
    CAPACITY_REQUEST_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS),
    CAPACITY_HISTORY_URL: `http://127.0.0.1:${connector.metricsPort}`,
  });
  started.push(gateway);
  await waitForReady(`${base}/readyz`, gateway);

  // Generated ids are almost never ones that exist (404 for every pool operation): schemathesis draws
  // zones, pool ids and reservation ids from these too (dictionaries in config()).
  const call = await gatewayApi(base);
  known.zone = uniqueName('fuzz').replace(/[^A-Za-z0-9_-]/g, '');
  for (const hour of [8, 10, 12]) {
    const poolId = `${known.zone}-${hour}`;
    const defined = await call('PUT', `/v1/pools/${poolId}`, '/v1/pools/{poolId}', {
      zone: known.zone,
      slotStart: `${DAY}T${String(hour).padStart(2, '0')}:00:00Z`,
      slotEnd: `${DAY}T${String(hour + 2).padStart(2, '0')}:00:00Z`,
      capacity: MAX_CAPACITY,
    });
    expect(defined.status).toBe(201);
    // One pool is for closing alone: closed pools refuse reservations and capacity changes.
    (hour === 12 ? known.closing : known.pools).push(poolId);
    const reserved = await call('POST', '/v1/reservations', '/v1/reservations', { poolId, units: 2 });
    expect(reserved.status).toBe(201);
    known.reservations.push(String(reserved.body.reservationId));
  }
});

afterAll(async () => {
  for (const p of started) if (p.exitCode === undefined) await p.stop();
});

/**
 * schemathesis.toml. Every check is on (schemathesis's default), except where an operation says otherwise.
 * - Zones, pool ids and reservation ids are half the time the known ones, so requests reach the pools; only
 *   the close operation gets the pool for closing. Versions asked for mostly exist.
 * - The planner key for every operation (planner includes reader), the orders key for the reservation
 *   operations (the only ones a planner may not call).
 * - The console's event stream never ends: its answer is read up to the first event (the snapshot).
 * - positive_data_acceptance (a request the document allows must not be refused) is off where the gateway
 *   rightly refuses with 400 what JSON Schema cannot express: slotEnd after slotStart and bookableUntil at
 *   most slotEnd (PUT), to after from and at most 31 days (listing, stream), asOf not with minVersion.
 * - 504 CONSISTENCY_TIMEOUT is the documented answer to a read that waits for a version the read model does
 *   not reach in time; generated requests ask for such versions (?minVersion=9, consistencyToken "x:9").
 */
function config(): string {
  const toml = (value: unknown) => JSON.stringify(value);
  const waitsForVersions = 'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", 504]';
  return [
    'output.sanitization.enabled = false',
    `headers = { X-API-Key = ${toml(TEST_KEYS.planner)} }`,
    '',
    '[dictionaries]',
    `zones = { values = ${toml([known.zone])} }`,
    `pools = { values = ${toml(known.pools)} }`,
    `closing = { values = ${toml(known.closing)} }`,
    `reservations = { values = ${toml(known.reservations)} }`,
    'versions = { values = [0, 1] }',
    `tokens = { values = ${toml(known.pools.map((poolId) => `${poolId}:1`))} }`,
    `from = { values = ${toml([`${DAY}T00:00:00Z`])} }`,
    `to = { values = ${toml([`${DAY}T23:00:00+01:00`])} }`,
    '',
    '[parameters]',
    ...['query.zone', 'body.zone'].map((key) => `"${key}" = { dictionary = "zones", probability = 0.5 }`),
    ...['path.poolId', 'body.poolId'].map((key) => `"${key}" = { dictionary = "pools", probability = 0.5 }`),
    '"path.reservationId" = { dictionary = "reservations", probability = 0.5 }',
    '"query.minVersion" = { dictionary = "versions", probability = 0.9 }',
    '"body.consistencyToken" = { dictionary = "tokens", probability = 0.9 }',
    // A range the listing and the stream take (to after from, at most 31 days), a quarter of the time.
    '"query.from" = { dictionary = "from", probability = 0.5 }',
    '"query.to" = { dictionary = "to", probability = 0.5 }',
    '',
    '[[operations]]',
    'include-name = "POST /v1/pools/{poolId}/close"',
    'parameters."path.poolId" = { dictionary = "closing", probability = 0.5 }',
    '',
    '[[operations]]',
    'include-path-regex = "^/v1/reservations"',
    `headers = { X-API-Key = ${toml(TEST_KEYS.orders)} }`,
    '',
    '[[operations]]',
    'include-name = "GET /v1/console/stream"',
    'max-stream-events = 1',
    'checks.positive_data_acceptance.enabled = false',
    '',
    '[[operations]]',
    'include-name = ["PUT /v1/pools/{poolId}", "GET /v1/pools"]',
    'checks.positive_data_acceptance.enabled = false',
    '',
    '[[operations]]',
    'include-name = "GET /v1/pools/{poolId}"',
    'checks.positive_data_acceptance.enabled = false',
    waitsForVersions,
    '',
    '[[operations]]',
    'include-name = "POST /v1/availability"',
    waitsForVersions,
    '',
  ].join('\n');
}

test(
  'schemathesis finds no failure in any operation of /openapi.json',
  async () => {
    const root = resolve(__dirname, '../..');
    const schemathesis = execFileSync('bash', [join(root, 'dev/fuzz-tools.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    const dir = scratchDir('fuzz');
    writeFileSync(join(dir, 'schemathesis.toml'), config());
    const args = [
      '--config-file',
      join(dir, 'schemathesis.toml'),
      'run',
      `${base}/openapi.json`,
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      // One worker: Hypothesis 6.170 is not thread-safe here (a runtime error with --workers 2).
      '--workers',
      '1',
      '--request-timeout',
      String((GATEWAY_TIMEOUT_MS * 3) / 1000),
      // Nothing kept between runs (no .hypothesis database): the seed alone decides what is sent.
      '--generation-database',
      'none',
      '--no-color',
      '--report',
      'junit',
      '--report-dir',
      join(dir, 'report'),
    ];
    const logFile = join(dir, 'schemathesis.log');
    const startedAt = Date.now();
    const exitCode = await new Promise<number | null>((done, fail) => {
      const child = spawn(schemathesis, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
      child.once('error', fail);
      child.once('close', (code) => {
        clearTimeout(timer);
        writeFileSync(logFile, Buffer.concat(chunks));
        done(code);
      });
    });
    const report = readFileSync(logFile, 'utf8');
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    if (exitCode !== 0)
      throw new Error(
        `schemathesis exited with ${exitCode} after ${seconds} s (seed ${SEED}, ${MAX_EXAMPLES} examples; ` +
          `report in ${dir}):\n${report.slice(-25_000)}`,
      );
    console.log(
      `schemathesis: ${seconds} s, seed ${SEED}, ${MAX_EXAMPLES} examples; report in ${dir}\n` +
        report.slice(report.lastIndexOf('SUMMARY')),
    );
  },
  RUN_LIMIT_MS + 60_000,
);
