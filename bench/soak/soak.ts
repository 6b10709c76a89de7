// Chaos soak (issue 13): the whole service on a three-broker cluster under open-loop HTTP load while faults
// are injected every few seconds (kill -9, SIGSTOP past the session timeout, SIGTERM + restart of processors
// and gateways; kill -9 + restart of a broker; the warehouse database stopped; a processor's host cut off
// the network past its session timeout), then a verdict that compares what the clients were told (the
// ledger) with the journal, the changelogs, the read models and the warehouse. Exits 1 on any violation.
// Same seed, same load and fault schedule. Needs root (network namespaces), java and mvn (the stack).
// Bounded: the load runs --minutes, each wait after it has a limit; ends only the processes it started.
//   npm run soak -- --minutes 10 [--seed 42] [--rate 60]
import { randomInt } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { checkInvariants } from '../../src/checker';
import type { Config } from '../../src/config';
import { topicNames } from '../../src/contracts';
import { postgresStack } from '../../src/devstack';
import { partitionForKey } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { definePools } from '../httpTargets';
import { writeResult } from '../writeResult';
import {
  killEveryProcess,
  removeSoakStack,
  soakEnvironment,
  startSoakCluster,
  stopSoakCluster,
  waitAllReady,
  type SoakCluster,
} from './cluster';
import { waitDrained } from './drain';
import { claimSoakLock } from './lock';
import { FAULT_KINDS, FaultSchedule, type FaultKind } from './faults';
import { computeFigures } from './figures';
import { checkIsolation } from './isolationCheck';
import { readJournal } from './journalView';
import { checkLedger } from './ledgerCheck';
import { heal, removeTestHosts } from './network';
import { Random } from './random';
import { printReport } from './report';
import { checkReadModels, checkWarehouse } from './viewsCheck';
import { poolPlans, Workload } from './workload';

const options = new Command()
  .option('--minutes <m>', 'minutes of load and faults', '10')
  .option('--seed <n>', 'seed of the load and the fault schedule (default: a random one, printed)')
  .option('--rate <n>', 'requests per second offered, over both gateways', '60')
  .option('--pools <n>', 'uniform pools (besides the hot pool and 20 small ones)', '150')
  .option('--partitions <n>', 'partitions of every topic', '12')
  .option('--timeout-ms <n>', 'client timeout per request', '15000')
  .option(
    '--faults <kinds>',
    `kinds of fault to inject (comma-separated): ${FAULT_KINDS.join(',')}`,
    FAULT_KINDS.join(','),
  )
  .option('--require-each-fault <n>', 'a violation when a kind of fault was injected fewer times', '0')
  .parse(process.argv)
  .opts<{
    minutes: string;
    seed?: string;
    rate: string;
    pools: string;
    partitions: string;
    timeoutMs: string;
    requireEachFault: string;
    faults: string;
  }>();

const say = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function verdict(cluster: SoakCluster, workload: Workload, schedule: FaultSchedule) {
  const { config } = cluster;
  const violations: Record<string, string[]> = {};
  say('checking invariants (versions, capacity, one result per command, changelogs = fold of the journal)');
  const check = await checkInvariants(config, createLogger('error'));
  violations.invariants = [...check.violations];
  say('reading the journal and the changelogs');
  const journal = await readJournal(config);
  const ledger = checkLedger(workload.attempts, journal);
  violations.ledger = [...ledger.violations];
  const isolations = schedule.faults
    .filter((f) => f.kind === 'partition' && f.writer)
    .map((f) => ({ writer: f.writer as string, cutAt: f.startedWall, healedAt: f.endedWall }));
  const isolation = checkIsolation(journal.events, isolations);
  violations.isolation = isolation.violations;
  say('comparing the read models and the warehouse with Kafka');
  violations.readModel = await checkReadModels(
    cluster.gateways.map((g) => g.port as number),
    poolPlans(Number(options.pools)),
    journal,
    60_000,
  );
  const warehouse = await checkWarehouse(
    postgresStack(config).url,
    topicNames(config.topicPrefix).events,
    journal,
    120_000,
  );
  violations.warehouse = warehouse.violations;
  violations.processes = [
    ...schedule.unexpectedExits,
    ...schedule.faults
      .filter((f) => f.recoveredAt === null)
      .map((f) => `${f.kind} of ${f.target}: the service was not whole again afterwards`),
    ...schedule.faults
      .filter((f) => f.kind === 'partition' && f.rejoinedAt === null)
      .map((f) => `${f.target}: the isolated processor did not own a ready task again after the heal`),
  ];
  const minimum = Number(options.requireEachFault);
  const counts = new Map<string, number>();
  for (const f of schedule.faults) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  violations.coverage = schedule.kinds
    .filter((k) => (counts.get(k) ?? 0) < minimum)
    .map((k) => `${k}: injected ${counts.get(k) ?? 0} times, fewer than --require-each-fault ${minimum}`);
  return {
    check,
    ledger: ledger.figures,
    journalEvents: journal.events.length,
    warehouseRows: warehouse.rows,
    partitionsTakenOver: isolation.takeovers,
    requestedRestarts: schedule.requestedRestarts,
    violations,
  };
}

/** The soak's stack, once started: what Ctrl-C stops. */
let stackConfig: Config | null = null;

async function main(): Promise<void> {
  claimSoakLock();
  const seed = options.seed === undefined ? randomInt(1, 2 ** 31) : Number(options.seed);
  const seconds = Math.round(Number(options.minutes) * 60);
  const kinds = options.faults.split(',').map((k) => k.trim()) as FaultKind[];
  for (const k of kinds)
    if (!FAULT_KINDS.includes(k)) throw new Error(`--faults: unknown kind ${k} (${FAULT_KINDS.join(', ')})`);
  const rate = Number(options.rate);
  const runId = `${Date.now().toString(36)}`;
  say(`seed ${seed} (repeat this run with --seed ${seed}); ${seconds} s of load at ${rate} requests/s`);
  const env = soakEnvironment(runId, Number(options.partitions));
  const cluster = await startSoakCluster(env, say);
  stackConfig = cluster.config;
  const partitions = cluster.config.partitions;
  let ended = false;
  try {
    const plans = poolPlans(Number(options.pools));
    say(`defining ${plans.length} pools`);
    await definePools(
      cluster.gateways[0]?.port as number,
      plans.map(({ poolId, ...body }) => ({ poolId, body })),
    );
    const workload = new Workload(runId, plans, new Random(seed));
    const schedule = new FaultSchedule(cluster, new Random(seed ^ 0x5eed), kinds);
    const start = performance.now();
    const sessionTimeoutMs = cluster.config.sessionTimeoutMs;
    say('load and faults begin');
    let scheduleError: string | null = null;
    const faults = schedule
      .run({ until: start + seconds * 1000 - 25_000, sessionTimeoutMs, recoveryTimeoutMs: 120_000, say })
      .catch((error: unknown) => {
        scheduleError = `the fault schedule stopped: ${String(error)}`;
        say(scheduleError);
      });
    const loads = await workload.run(
      cluster.gateways.map((g) => g.port as number),
      rate,
      seconds,
      Number(options.timeoutMs),
    );
    await faults;
    say(`load done (${loads.map((l) => `${l.achievedPerSec}/s`).join(' + ')} answered 2xx); settling`);
    for (const host of cluster.hosts) heal(host);
    for (const m of [...cluster.processors, ...cluster.gateways]) m.process.signal('SIGCONT');
    await waitAllReady(cluster, 120_000);
    const drained = await waitDrained(cluster, 120_000);
    const result = await verdict(cluster, workload, schedule);
    if (!drained) result.violations.processes?.push('commands were still unprocessed 120 s after the load');
    if (scheduleError) result.violations.processes?.push(scheduleError);
    const figures = computeFigures(workload.attempts, schedule.faults, (poolId) =>
      partitionForKey(poolId, partitions),
    );
    await stopSoakCluster(cluster);
    ended = true;
    const summary = {
      at: new Date().toISOString(),
      seed,
      seconds,
      rate,
      partitions,
      cpus: cpus().length,
      loadavg: loadavg(),
      sessionTimeoutMs,
      faults: schedule.faults,
      figures,
      ...result,
      logs: cluster.logs,
    };
    printReport(summary, say);
    say(`wrote ${writeResult('soak', summary)}`);
    if (Object.values(result.violations).some((v) => v.length > 0)) process.exitCode = 1;
  } finally {
    if (!ended) await stopSoakCluster(cluster).catch(() => undefined);
    await removeSoakStack(cluster.config, (line) => say(`stack ${line}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: ending the processes and the stack this soak started`);
    killEveryProcess();
    // The stack first: its brokers listen on the bridge that removing the test hosts takes away.
    const stopped = stackConfig
      ? removeSoakStack(stackConfig, (line) => say(`stack ${line}`))
      : Promise.resolve();
    void stopped.catch(() => removeTestHosts()).finally(() => process.exit(130));
  });

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
