// Processor benchmark: commands offered at a fixed rate (open loop) through the order-service client,
// latency measured from send to result, for two shapes: uniform over many pools and one hot pool.
// Needs the local stack (npm run stack:up). Bounded in count and time; loopback only.
//   npm run bench:processor -- --rate 5000 --commands 30000 --processors 1 --partitions 12
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import * as hdr from 'hdr-histogram-js';
import { CapacityClient } from '../src/client';
import { loadConfig } from '../src/config';
import { topicSpecs } from '../src/contracts';
import { createKafka, ensureTopicsOrThrow } from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { ServiceProcess, scratchDir } from '../test/support/serviceProcess';

interface ShapeResult {
  shape: string;
  offeredRate: number;
  commands: number;
  achievedPerSec: number;
  accepted: number;
  rejected: number;
  timeouts: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const options = new Command()
  .option('--rate <n>', 'offered commands per second', '5000')
  .option('--commands <n>', 'commands per shape', '30000')
  .option('--processors <n>', 'processor processes', '1')
  .option('--partitions <n>', 'partitions', '12')
  .option('--pools <n>', 'pools for the uniform shape', '1000')
  .option('--shapes <list>', 'uniform,hot', 'uniform,hot')
  .parse(process.argv)
  .opts<{
    rate: string;
    commands: string;
    processors: string;
    partitions: string;
    pools: string;
    shapes: string;
  }>();

const slot = { slotStart: Date.UTC(2027, 0, 1, 8), slotEnd: Date.UTC(2027, 0, 1, 10) };

async function offer(
  client: CapacityClient,
  shape: string,
  poolIds: string[],
  rate: number,
  count: number,
): Promise<ShapeResult> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let accepted = 0;
  let rejected = 0;
  let timeouts = 0;
  const inFlight: Promise<void>[] = [];
  const started = process.hrtime.bigint();
  const tickMs = 5;
  let sent = 0;
  while (sent < count) {
    // Open loop: how many should have been sent by now, at the offered rate.
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const due = Math.min(count, Math.floor((elapsedMs * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const poolId = poolIds[sent % poolIds.length] as string;
      const t0 = process.hrtime.bigint();
      inFlight.push(
        client.reserve(poolId, 1, { timeoutMs: 60_000 }).then(
          (result) => {
            histogram.recordValue(Number(process.hrtime.bigint() - t0) / 1000); // microseconds
            if (result.status === 'accepted') accepted++;
            else rejected++;
          },
          () => void timeouts++,
        ),
      );
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    shape,
    offeredRate: rate,
    commands: count,
    achievedPerSec: Math.round(count / seconds),
    accepted,
    rejected,
    timeouts,
    latencyMs: {
      p50: ms(histogram.getValueAtPercentile(50)),
      p95: ms(histogram.getValueAtPercentile(95)),
      p99: ms(histogram.getValueAtPercentile(99)),
      max: ms(histogram.maxValue),
    },
  };
}

async function main(): Promise<void> {
  const env = {
    CAPACITY_TOPIC_PREFIX: uniqueName('bench'),
    CAPACITY_PARTITIONS: options.partitions,
    CAPACITY_APPLICATION_ID: uniqueName('bench-app'),
    CAPACITY_LOG_LEVEL: 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  const logger = createLogger('error');
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'bench', logger }),
    topicSpecs(config.topicPrefix, config.partitions),
    1,
  );
  const stateRoot = scratchDir('bench');
  const processors: ServiceProcess[] = [];
  for (let i = 0; i < Number(options.processors); i++) {
    processors.push(
      await ServiceProcess.start('processor', `bench-${i}`, {
        ...env,
        CAPACITY_STATE_DIR: join(stateRoot, String(i)),
      }),
    );
  }
  for (const p of processors) await p.waitReady(120_000);
  const client = await CapacityClient.connect(config, logger, 'bench-client');
  const results: ShapeResult[] = [];
  const transactionStats: Array<Record<string, unknown>> = [];
  try {
    const rate = Number(options.rate);
    const count = Number(options.commands);
    for (const shape of options.shapes.split(',')) {
      const poolCount = shape === 'hot' ? 1 : Number(options.pools);
      const poolIds = Array.from({ length: poolCount }, (_, i) => `${shape}-${i}`);
      // Capacity for every reserve to succeed: the benchmark measures the write path, not rejections.
      const capacity = Math.min(1_000_000, Math.ceil(count / poolCount) + 10);
      await Promise.all(
        poolIds.map((poolId) =>
          client.submit(
            { type: 'DefinePool', poolId, zone: 'bench', ...slot, capacity },
            { timeoutMs: 60_000 },
          ),
        ),
      );
      await offer(client, `${shape}-warmup`, poolIds, Math.min(rate, 1000), Math.min(2000, count));
      results.push(await offer(client, shape, poolIds, rate, count));
    }
  } finally {
    await client.close();
    // What limits it: the processors' own view of their transactions (all shapes together).
    for (const p of processors) {
      const text = await p.metrics().catch(() => '');
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      const commits = value('capacity_processor_transaction_commit_seconds_count');
      transactionStats.push({
        processor: p.name,
        transactions: commits,
        avgCommitMs:
          Math.round((value('capacity_processor_transaction_commit_seconds_sum') / commits) * 10000) / 10,
        avgCommandsPerTransaction:
          Math.round(
            (value('capacity_processor_batch_size_sum') / value('capacity_processor_batch_size_count')) * 10,
          ) / 10,
      });
    }
    for (const p of processors) await p.stop();
  }

  console.log(
    `\nprocessor benchmark: ${options.processors} processor(s), ${options.partitions} partitions, broker on this machine`,
  );
  console.log(
    'shape      offered/s  achieved/s  accepted  rejected  timeouts   p50 ms   p95 ms   p99 ms   max ms',
  );
  for (const r of results) {
    console.log(
      `${r.shape.padEnd(10)} ${String(r.offeredRate).padStart(9)} ${String(r.achievedPerSec).padStart(11)} ${String(r.accepted).padStart(9)} ${String(r.rejected).padStart(9)} ${String(r.timeouts).padStart(9)} ${r.latencyMs.p50.toFixed(1).padStart(8)} ${r.latencyMs.p95.toFixed(1).padStart(8)} ${r.latencyMs.p99.toFixed(1).padStart(8)} ${r.latencyMs.max.toFixed(1).padStart(8)}`,
    );
  }
  for (const t of transactionStats)
    console.log(
      `${t.processor}: ${t.transactions} transactions, ${t.avgCommitMs} ms average send+commit, ${t.avgCommandsPerTransaction} commands per transaction`,
    );
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `processor-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ options, results, node: process.version, at: new Date().toISOString() }, null, 2),
  );
  console.log(`\nwrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
