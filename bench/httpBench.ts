// HTTP benchmark, side by side: the service (processor(s) + gateway on the local stack's Kafka) and the
// row-lock baseline (PostgreSQL, SELECT ... FOR UPDATE per pool row, bench/rowLockBaseline.ts), both
// started here, both driven by the same open-loop generator (bench/openLoop.ts) in the same run. For
// each shape (uniform: reserves over 1,000 pools; hot: every reserve to one pool) and each offered rate,
// one step per system, the order alternating from step to step so both see the same machine; then an
// overload step at 2x the service's saturation rate; then (optional) availability reads. Needs the local
// stack with PostgreSQL (npm run stack:up). Bounded in time and count; loopback only.
//   npm run bench:http -- --rates 500,1000,2000,3000,4000 --seconds 10 --warmup 2
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import { MAX_CAPACITY } from '../src/domain';
import {
  availabilityQuery,
  daysFor,
  definePools,
  poolDefinition,
  startBaseline,
  startService,
  ZONES,
  type HttpTarget,
} from './httpTargets';
import {
  printNotes,
  printSummary,
  printTable,
  saturation,
  summarizeShape,
  type SaturationRule,
  type Shape,
  type Step,
} from './httpReport';
import { writeResult } from './writeResult';
import { runOpenLoop, type OpenLoopResult, type PlannedRequest } from './openLoop';
import { benchKeyHeader } from './benchKeys';

const options = new Command()
  .option('--rates <list>', 'offered reserve rates per second, one step each', '500,1000,2000,3000,4000')
  .option('--seconds <n>', 'measured seconds per step', '10')
  .option('--warmup <n>', 'warm-up seconds before each step (same rate, not recorded)', '2')
  .option('--initial-warmup <n>', 'seconds of uniform reserves at the lowest rate per system first', '5')
  .option('--shapes <list>', 'uniform,hot', 'uniform,hot')
  .option('--pools <n>', 'pools of the uniform shape', '1000')
  .option('--processors <n>', 'service processor processes', '1')
  .option('--partitions <n>', 'service partitions', '12')
  .option('--connections <n>', 'baseline pg.Pool size', '20')
  .option(
    '--max-outstanding <n>',
    'generator cap on requests in flight (more due = not sent = failed)',
    '2000',
  )
  .option('--timeout-ms <n>', 'generator timeout per request (the gateway answers 504 after 5000)', '10000')
  .option('--p99-bound-ms <n>', 'saturation: p99 of successful requests must stay under this', '1000')
  .option('--no-overload', 'skip the overload step at 2x the service saturation rate')
  .option(
    '--availability-rate <n>',
    'offered availability reads per second after the writes (0: skip)',
    '1000',
  )
  .parse(process.argv)
  .opts<{
    rates: string;
    seconds: string;
    warmup: string;
    initialWarmup: string;
    shapes: string;
    pools: string;
    processors: string;
    partitions: string;
    connections: string;
    maxOutstanding: string;
    timeoutMs: string;
    p99BoundMs: string;
    overload: boolean;
    availabilityRate: string;
  }>();

const rates = options.rates.split(',').map(Number);
const seconds = Number(options.seconds);
const warmupSeconds = Number(options.warmup);
const poolCount = Number(options.pools);
const rule: SaturationRule = { minAchievedFraction: 0.95, maxP99Ms: Number(options.p99BoundMs) };
const runId = Date.now().toString(36);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stepNo = 0;

function reserves(shape: Shape, hotPool: string, tag: string) {
  return (n: number): PlannedRequest => ({
    method: 'POST',
    path: '/v1/reservations',
    headers: { 'idempotency-key': `${tag}-${n}`, ...benchKeyHeader('orders') },
    body: JSON.stringify({
      poolId: shape === 'hot' ? hotPool : `u-${Math.floor(Math.random() * poolCount)}`,
      units: 1,
    }),
  });
}

function availabilityReads(): (n: number) => PlannedRequest {
  const days = daysFor(poolCount);
  return () => ({
    method: 'POST',
    path: '/v1/availability',
    headers: benchKeyHeader('reader'),
    // A checkout page asks for one day in one zone: about 10 pools per answer.
    body: JSON.stringify(
      availabilityQuery(Math.floor(Math.random() * ZONES), Math.floor(Math.random() * days)),
    ),
  });
}

function progress(what: string, target: string, r: OpenLoopResult): void {
  console.log(
    `  ${what} ${target}: achieved ${r.achievedPerSec}/s, p99 ${r.latency.ok.p99Ms.toFixed(1)} ms, ` +
      `failed ${r.failed}/${r.scheduled}`,
  );
}

const generator = (port: number, rate: number, request: (n: number) => PlannedRequest, secs = seconds) =>
  runOpenLoop({
    port,
    rate,
    seconds: secs,
    warmupSeconds,
    maxOutstanding: Number(options.maxOutstanding),
    timeoutMs: Number(options.timeoutMs),
    request,
  });

/** JIT, connections, caches: each system first serves uniform reserves at the lowest rate, unrecorded. */
async function initialWarmup(targets: readonly HttpTarget[]): Promise<void> {
  const secs = Number(options.initialWarmup);
  if (!(secs > 0)) return;
  for (const t of targets)
    progress(
      `warm-up ${Math.min(...rates)}/s for ${secs} s (not recorded)`,
      t.name,
      await generator(t.port, Math.min(...rates), reserves('uniform', '', `${runId}-${t.name}-w`), secs),
    );
}

/** One step: each target in turn (order alternating by step number) at the same offered rate. */
async function runStep(
  targets: readonly HttpTarget[],
  shape: Step['shape'],
  kind: Step['kind'],
  rate: number,
): Promise<Step> {
  const n = stepNo++;
  const order = n % 2 === 0 ? targets : [...targets].reverse();
  const step: Step = { shape, kind, rate, results: {} };
  const hotPool = `hot-${runId}-${n}`;
  if (shape === 'hot') {
    if (rate * (seconds + warmupSeconds) > MAX_CAPACITY)
      console.log(`  ! ${rate}/s for ${seconds + warmupSeconds} s may fill the hot pool (${MAX_CAPACITY})`);
    const definition = { ...poolDefinition(0, MAX_CAPACITY).body, zone: 'hot' };
    for (const t of targets) await definePools(t.port, [{ poolId: hotPool, body: definition }]);
  }
  for (const target of order) {
    const request =
      shape === 'availability'
        ? availabilityReads()
        : reserves(shape, hotPool, `${runId}-${target.name}-${n}`);
    const result = await generator(target.port, rate, request);
    step.results[target.name] = result;
    progress(`${shape} ${kind === 'overload' ? 'overload ' : ''}${rate}/s`, target.name, result);
    await sleep(1000);
  }
  return step;
}

async function main(): Promise<void> {
  const shapes = options.shapes.split(',') as Shape[];
  console.log(`starting the service and the row-lock baseline; ${poolCount} pools each`);
  const targets: HttpTarget[] = [];
  const shapeResults: Array<{ shape: Shape; steps: Step[]; summary: ReturnType<typeof summarizeShape> }> = [];
  let availability: Step | null = null;
  try {
    targets.push(
      await startService({ processors: Number(options.processors), partitions: Number(options.partitions) }),
    );
    targets.push(await startBaseline({ connections: Number(options.connections) }));
    const pools = Array.from({ length: poolCount }, (_, i) => poolDefinition(i, MAX_CAPACITY));
    for (const t of targets) await definePools(t.port, pools);
    await initialWarmup(targets);

    for (const shape of shapes) {
      console.log(
        `\n${shape}: ${rates.join(', ')} reserves/s, ${seconds} s each after ${warmupSeconds} s warm-up`,
      );
      const steps: Step[] = [];
      for (const rate of rates) steps.push(await runStep(targets, shape, 'rate', rate));
      if (options.overload) {
        const base = saturation(steps, 'service', rule) ?? Math.min(...rates);
        steps.push(await runStep(targets, shape, 'overload', 2 * base));
      }
      shapeResults.push({ shape, steps, summary: summarizeShape(shape, steps, rule) });
    }
    const availabilityRate = Number(options.availabilityRate);
    if (availabilityRate > 0) {
      console.log(`\navailability reads at ${availabilityRate}/s`);
      availability = await runStep(targets, 'availability', 'rate', availabilityRate);
    }
  } finally {
    for (const t of targets) await t.stop().catch((e: unknown) => console.error(`stopping ${t.name}:`, e));
  }

  console.log(
    `\nHTTP benchmark: service = ${options.processors} processor(s) + 1 gateway, ${options.partitions} partitions; ` +
      `baseline = PostgreSQL row lock, pg.Pool ${options.connections}; ${seconds} s per step; ${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  for (const { shape, steps, summary } of shapeResults) {
    const what = shape === 'hot' ? 'every reserve to one pool' : `reserves spread over ${poolCount} pools`;
    printTable(`${shape} (${what}); * = overload step`, steps);
    printSummary(summary, steps);
  }
  if (availability) printTable('availability reads (one zone, one day)', [availability]);
  printNotes(rule);
  console.log(`logs: ${targets.flatMap((t) => t.logs).join(' ')}`);
  const file = writeResult('http', {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    options,
    rule,
    shapes: shapeResults,
    availability,
  });
  console.log(`\nwrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
