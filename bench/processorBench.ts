// Processor drain benchmark: how fast one processor works through a backlog. The pools are defined
// (one processor run), that processor stops, N reserves are written to the command topic (uniform over
// 1,000 pools, or all to one hot pool), then a processor starts on the backlog; timed from the moment
// its /healthz reports every partition's task ready to the last command result read back. Needs the
// local stack (npm run stack:up). Bounded in count and time; loopback only.
//   npm run bench:processor -- --shape uniform --commands 200000
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { CapacityClient } from '../src/client';
import { loadConfig } from '../src/config';
import { topicNames, topicSpecs, type CommandResult } from '../src/contracts';
import { MAX_CAPACITY } from '../src/domain';
import { createKafka, ensureTopicsOrThrow, topicEndOffsets, type Kafka } from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { ServiceProcess, scratchDir } from '../test/support/serviceProcess';
import { writeResult } from './writeResult';

const options = new Command()
  .option('--shape <shape>', 'uniform (over --pools pools) or hot (one pool)', 'uniform')
  .option('--commands <n>', 'reserves in the backlog', '200000')
  .option('--pools <n>', 'pools of the uniform shape', '1000')
  .option('--partitions <n>', 'partitions of every topic', '12')
  .option('--chunk <n>', 'reserves written per chunk while filling the backlog', '10000')
  .option('--timeout-s <n>', 'bound on the drain', '900')
  .parse(process.argv)
  .opts<{
    shape: string;
    commands: string;
    pools: string;
    partitions: string;
    chunk: string;
    timeoutS: string;
  }>();

const slot = { slotStart: Date.UTC(2027, 0, 1, 8), slotEnd: Date.UTC(2027, 0, 1, 10) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of the topic's high watermarks (records written, as the topics are new). */
async function endOffsetTotal(kafka: Kafka, topic: string): Promise<number> {
  return [...(await topicEndOffsets(kafka, topic)).values()].reduce((sum, high) => sum + high, 0);
}

/** Polls /healthz closely (20 ms) and returns when every partition has a ready task. */
async function whenAllReady(p: ServiceProcess, partitions: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await p.health();
    const tasks = h?.body.tasks ?? [];
    if (h?.body.healthy && tasks.length === partitions && tasks.every((t) => t.state === 'ready'))
      return performance.now();
    if (p.exitCode !== undefined)
      throw new Error(`${p.name} exited (${p.exitCode}):\n${p.log().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${p.name}: tasks not ready within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function transactionStats(p: ServiceProcess) {
  const text = await p.metrics().catch(() => '');
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const commits = value('capacity_processor_transaction_commit_seconds_count');
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    transactions: commits,
    avgCommitMs: round((value('capacity_processor_transaction_commit_seconds_sum') / commits) * 1000),
    avgCommandsPerTransaction: round(
      value('capacity_processor_batch_size_sum') / value('capacity_processor_batch_size_count'),
    ),
  };
}

async function main(): Promise<void> {
  const shape = options.shape;
  if (shape !== 'uniform' && shape !== 'hot')
    throw new Error(`--shape must be uniform or hot (got ${shape})`);
  const commands = Number(options.commands);
  const partitions = Number(options.partitions);
  const env = {
    CAPACITY_TOPIC_PREFIX: uniqueName('drain'),
    CAPACITY_PARTITIONS: String(partitions),
    CAPACITY_APPLICATION_ID: uniqueName('drain-app'),
    CAPACITY_LOG_LEVEL: 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  const logger = createLogger('error');
  const kafka = createKafka(config, { clientId: 'drain-bench', logger });
  await ensureTopicsOrThrow(kafka, topicSpecs(config.topicPrefix, partitions), 1);
  const commandTopic = topicNames(config.topicPrefix).commands;
  const stateDir = join(scratchDir('drain'), 'state');
  const client = await CapacityClient.connect(config, logger, 'drain-bench-client');
  let processor: ServiceProcess | null = null;
  try {
    // 1. The pools, defined through a first processor run, which then stops.
    const poolIds =
      shape === 'hot' ? ['hot-0'] : Array.from({ length: Number(options.pools) }, (_, i) => `u-${i}`);
    const capacity = Math.min(MAX_CAPACITY, Math.ceil(commands / poolIds.length) + 10);
    if (capacity < Math.ceil(commands / poolIds.length))
      console.log(
        `! capacity ${capacity} < reserves per pool: the rest are rejected (INSUFFICIENT_CAPACITY)`,
      );
    processor = await ServiceProcess.start('processor', 'drain-define', {
      ...env,
      CAPACITY_STATE_DIR: stateDir,
    });
    await processor.waitReady(120_000);
    const defined = await Promise.all(
      poolIds.map((poolId) =>
        client.submit(
          { type: 'DefinePool', poolId, zone: 'bench', ...slot, capacity },
          { timeoutMs: 120_000 },
        ),
      ),
    );
    if (defined.some((r) => r.status !== 'accepted')) throw new Error('a pool definition was rejected');
    await processor.stop();
    processor = null;

    // 2. The backlog: every reserve on the command topic before a processor runs again.
    const before = await endOffsetTotal(kafka, commandTopic);
    const fillStarted = performance.now();
    const timeoutMs = Number(options.timeoutS) * 1000;
    let readyAt = Number.POSITIVE_INFINITY;
    let lastResultAt = 0;
    let beforeReady = 0;
    const onResult = (r: CommandResult) => {
      lastResultAt = performance.now();
      if (lastResultAt < readyAt) beforeReady++;
      return r;
    };
    const results: Array<Promise<CommandResult>> = [];
    const chunk = Number(options.chunk);
    for (let sent = 0; sent < commands;) {
      const end = Math.min(commands, sent + chunk);
      for (; sent < end; sent++) {
        // The client sends what is queued in one tick as one produce request: keep those under 1 MB.
        if (sent % 1000 === 0) await new Promise((r) => setImmediate(r));
        results.push(
          client
            .reserve(poolIds[sent % poolIds.length] as string, 1, { timeoutMs: timeoutMs + 600_000 })
            .then(onResult),
        );
      }
      while ((await endOffsetTotal(kafka, commandTopic)) < before + sent) await sleep(50);
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    console.log(`backlog: ${commands} reserves (${shape}) on ${commandTopic} in ${fillSeconds.toFixed(1)} s`);

    // 3. The drain.
    const started = performance.now();
    processor = await ServiceProcess.start('processor', 'drain', { ...env, CAPACITY_STATE_DIR: stateDir });
    readyAt = await whenAllReady(processor, partitions, 120_000);
    const startupSeconds = (readyAt - started) / 1000;
    const drainDeadline = new Promise<'deadline'>((r) => setTimeout(() => r('deadline'), timeoutMs).unref());
    const outcome = await Promise.race([Promise.allSettled(results), drainDeadline]);
    if (outcome === 'deadline') throw new Error(`the backlog did not drain within ${options.timeoutS} s`);
    const accepted = outcome.filter((o) => o.status === 'fulfilled' && o.value.status === 'accepted').length;
    const failed = outcome.filter((o) => o.status === 'rejected').length;
    const drainSeconds = (lastResultAt - readyAt) / 1000;
    const result = {
      shape,
      commands,
      pools: poolIds.length,
      partitions,
      accepted,
      rejected: commands - accepted - failed,
      noResult: failed,
      startupSeconds: Math.round(startupSeconds * 100) / 100,
      resultsBeforeAllReady: beforeReady,
      drainSeconds: Math.round(drainSeconds * 100) / 100,
      commandsPerSec: Math.round((commands - beforeReady) / drainSeconds),
      ...(await transactionStats(processor)),
    };
    console.log(
      `\nprocessor drain: 1 processor, ${partitions} partitions, ${commands} reserves (${shape}, ${poolIds.length} pool(s)), broker on this machine`,
    );
    console.log(
      `  ${result.commandsPerSec} commands/s: ${result.drainSeconds} s from all tasks ready to the last result ` +
        `(${result.resultsBeforeAllReady} results came before; start to ready ${result.startupSeconds} s)`,
    );
    console.log(`  accepted ${accepted}, rejected ${result.rejected}, no result ${failed}`);
    console.log(
      `  ${result.transactions} transactions, ${result.avgCommitMs} ms average send+commit, ` +
        `${result.avgCommandsPerTransaction} commands per transaction`,
    );
    const file = writeResult(`processor-drain-${shape}`, {
      at: new Date().toISOString(),
      node: process.version,
      options,
      result,
    });
    console.log(`\nwrote ${file}`);
  } finally {
    await client.close();
    await processor?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
