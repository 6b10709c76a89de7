// Failover benchmark: steady open-loop reserves over HTTP against three processors and one gateway, then
// one fault on one processor (the victim): kill -9, SIGTERM, SIGSTOP past the session timeout, or a
// static-membership restart. Requests are classed by whether their pool's partition was the victim's
// just before the fault ("moved") or not ("other"); per class it reports outcomes, latency, the time
// until the moved partitions answer again and the longest gap; then the invariant checker and the
// generator's ledger of 201s against the journal. A fresh cluster (topics, processes) per fault. Needs
// the local stack (npm run stack:up). Bounded in time and count; loopback only; ends only what it started.
//   npm run bench:failover -- --rate 200 --faults kill9,sigterm,sigstop,restart
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { loadConfig } from '../src/config';
import { MAX_CAPACITY } from '../src/domain';
import { partitionForKey } from '../src/kafka';
import {
  classStats,
  evaluateTargets,
  perSecond,
  type ClassStats,
  type Fault,
  type RequestClass,
  type RequestRecord,
} from './failoverAnalysis';
import {
  inflict,
  killAllStarted,
  ownership,
  restoreSample,
  startCluster,
  stopCluster,
  tasksOf,
  waitDrained,
  type Cluster,
} from './failoverCluster';
import { checkLedger, type Accepted } from './failoverLedger';
import { printFaultDetails, printFaultTable, printNotes, type FaultResult } from './failoverReport';
import { definePools, poolDefinition } from './httpTargets';
import { runOpenLoop, type Completion } from './openLoop';
import { writeResult } from './writeResult';
import { benchKeyHeader } from './benchKeys';

const FAULTS: readonly Fault[] = ['kill9', 'sigterm', 'sigstop', 'restart'];
const sessionTimeoutMs = loadConfig(process.env).sessionTimeoutMs;

const options = new Command()
  .option('--rate <n>', 'offered reserves per second', '200')
  .option('--faults <list>', `faults, one fresh cluster each: ${FAULTS.join(',')}`, FAULTS.join(','))
  .option('--pools <n>', 'pools (uniform reserves over them, big capacity)', '1000')
  .option('--before <s>', 'seconds of measured load before the fault', '10')
  .option('--after <s>', 'seconds of load after the fault', '20')
  .option('--warmup <s>', 'seconds of load before the measured window (not recorded)', '3')
  .option(
    '--stop-seconds <s>',
    'sigstop: how long the victim stays stopped (default: session timeout + 2 s)',
    String(sessionTimeoutMs / 1000 + 2),
  )
  .option('--processors <n>', 'processor processes', '3')
  .option('--partitions <n>', 'partitions of every topic', process.env.CAPACITY_PARTITIONS ?? '12')
  .option('--victim <i>', 'index of the processor to break (0-based)', '1')
  .option('--max-outstanding <n>', 'generator cap on requests in flight', '2000')
  .option(
    '--timeout-ms <n>',
    'generator timeout per request (the gateway answers 504 after its own)',
    '10000',
  )
  .option('--drain-timeout-s <n>', 'bound on waiting for every command to be processed after the load', '120')
  .option('--enforce-targets', 'exit 3 when a target fails (invariant violations always exit 1)')
  .parse(process.argv)
  .opts<{
    rate: string;
    faults: string;
    pools: string;
    before: string;
    after: string;
    warmup: string;
    stopSeconds: string;
    processors: string;
    partitions: string;
    victim: string;
    maxOutstanding: string;
    timeoutMs: string;
    drainTimeoutS: string;
    enforceTargets?: boolean;
  }>();

const rate = Number(options.rate);
const poolCount = Number(options.pools);
const partitions = Number(options.partitions);
const runId = Date.now().toString(36);

const live = (cluster: Cluster) => cluster.processors.filter((p) => p.process.exitCode === undefined);

async function runFault(fault: Fault): Promise<FaultResult> {
  console.log(`\n${fault}: starting ${options.processors} processors and a gateway on fresh topics`);
  const cluster = await startCluster({
    processors: Number(options.processors),
    partitions,
    staticMembership: fault === 'restart',
    label: fault,
  });
  try {
    await definePools(
      cluster.gatewayPort,
      Array.from({ length: poolCount }, (_, i) => poolDefinition(i, MAX_CAPACITY)),
    );
    const victim = cluster.processors[Number(options.victim)];
    if (!victim)
      throw new Error(`--victim ${options.victim}: there are ${cluster.processors.length} processors`);
    const restoreBefore = await Promise.all(cluster.processors.map(restoreSample));

    const poolOf: number[] = [];
    const completions: Completion[] = [];
    const timeline: Record<string, number> = {};
    let faultAt = Number.POSITIVE_INFINITY;
    let moved = new Set<number>();
    let stable = false;
    let faultDone: Promise<void> = Promise.resolve();
    const faultTimer = setTimeout(
      () => {
        faultDone = (async () => {
          const owners = await ownership(cluster);
          stable = [...owners.values()].filter((o) => o.state === 'ready').length === partitions;
          moved = new Set((await tasksOf(victim))?.map((t) => t.partition) ?? []);
          faultAt = performance.now();
          console.log(
            `  ${fault} of p${victim.index} (pid ${victim.process.pid}), partitions [${[...moved]}]`,
          );
          await inflict(fault, cluster, victim, faultAt, timeline, Number(options.stopSeconds) * 1000);
        })();
      },
      (Number(options.warmup) + Number(options.before)) * 1000,
    );
    const seconds = Number(options.before) + Number(options.after);
    console.log(`  load: ${rate} reserves/s, ${options.warmup} s warm-up + ${seconds} s measured`);
    const load = await runOpenLoop({
      port: cluster.gatewayPort,
      rate,
      seconds,
      warmupSeconds: Number(options.warmup),
      maxOutstanding: Number(options.maxOutstanding),
      timeoutMs: Number(options.timeoutMs),
      request: (n) => {
        const pool = Math.floor(Math.random() * poolCount);
        poolOf[n] = pool;
        return {
          method: 'POST',
          path: '/v1/reservations',
          headers: { 'idempotency-key': `${runId}-${fault}-${n}`, ...benchKeyHeader('orders') },
          body: JSON.stringify({ poolId: `u-${pool}`, units: 1 }),
        };
      },
      onComplete: (c) => completions.push(c),
    });
    const loadEnd = performance.now();
    clearTimeout(faultTimer);
    await faultDone;
    if (fault === 'sigstop') victim.process.signal('SIGCONT');
    if (!Number.isFinite(faultAt)) throw new Error('the load ended before the fault');
    if (moved.size === 0) console.log(`  ! p${victim.index} owned no partition at the fault`);

    const partitionOf = new Map<number, number>();
    const records: RequestRecord[] = completions
      .filter((c) => c.measured)
      .map((c) => {
        const pool = poolOf[c.n] as number;
        if (!partitionOf.has(pool)) partitionOf.set(pool, partitionForKey(`u-${pool}`, partitions));
        return { ...c, requestClass: moved.has(partitionOf.get(pool) as number) ? 'moved' : 'other' };
      });
    const statsOf = (window: (r: RequestRecord) => boolean) =>
      Object.fromEntries(
        (['moved', 'other'] as const).map((cls) => [
          cls,
          classStats(
            records.filter((r) => r.requestClass === cls && window(r)),
            faultAt,
            loadEnd,
          ),
        ]),
      ) as Record<RequestClass, ClassStats>;
    const before = statsOf((r) => r.endAt < faultAt);
    const event = statsOf((r) => r.endAt >= faultAt);

    console.log('  load done; waiting until every command is processed');
    const drained = await waitDrained(cluster, Number(options.drainTimeoutS) * 1000);
    const restoreAfter = await Promise.all(live(cluster).map(restoreSample));
    await stopCluster(cluster);
    console.log('  processes stopped; running the invariant checker and the ledger comparison');
    const accepted: Accepted[] = [];
    for (const c of completions) {
      if (c.outcome !== 201 || c.body === null) continue;
      const reservationId = (JSON.parse(c.body) as { reservationId?: string }).reservationId;
      if (reservationId) accepted.push({ requestId: `${runId}-${fault}-${c.n}`, reservationId });
    }
    const ledger = await checkLedger(cluster.config, accepted, 180_000);
    const violations = ledger.violations.length;
    const result: FaultResult = {
      fault,
      offeredPerSec: rate,
      achievedPerSec: load.achievedPerSec,
      victim: victim.index,
      movedPartitions: [...moved].sort((a, b) => a - b),
      groupStableAtFault: stable,
      timeline,
      before,
      event,
      restore: { before: restoreBefore, after: restoreAfter },
      drained,
      ledger,
      targets: evaluateTargets(fault, before, event, violations),
      maxSendLagMs: load.maxSendLagMs,
      perSecond: perSecond(records, faultAt),
      logs: cluster.logs,
    };
    printFaultDetails(result);
    return result;
  } finally {
    await stopCluster(cluster);
  }
}

async function main(): Promise<void> {
  const faults = options.faults.split(',') as Fault[];
  for (const f of faults)
    if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f} (${FAULTS.join(', ')})`);
  if (Number(options.after) < Number(options.stopSeconds) && faults.includes('sigstop'))
    console.log(`! --after ${options.after} s is shorter than --stop-seconds ${options.stopSeconds} s`);
  const results: FaultResult[] = [];
  for (const fault of faults) results.push(await runFault(fault));

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `\nfailover: ${options.processors} processors + 1 gateway, ${partitions} partitions, ${poolCount} pools, ` +
      `${rate} reserves/s, ${options.before} s before + ${options.after} s after the fault; session timeout ` +
      `${sessionTimeoutMs} ms; sigstop held ${options.stopSeconds} s; ${cpus().length} CPUs, load ${load}`,
  );
  printFaultTable(results);
  for (const r of results)
    console.log(
      `  ${r.fault.padEnd(8)} ${r.targets.map((t) => `${t.target}: ${t.measured} ${t.pass ? 'PASS' : 'FAIL'}`).join(' | ')}`,
    );
  printNotes();
  const file = writeResult(`failover-${rate}`, {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg(),
    sessionTimeoutMs,
    capacityEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CAPACITY_'))),
    options,
    results,
  });
  console.log(`\nwrote ${file}`);
  if (results.some((r) => r.ledger.violations.length > 0)) process.exitCode = 1;
  else if (options.enforceTargets && results.some((r) => r.targets.some((t) => !t.pass)))
    process.exitCode = 3;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: ending the processes this benchmark started`);
    killAllStarted();
    process.exit(130);
  });

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
