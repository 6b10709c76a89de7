// Pool history benchmark (ADR 12): a journal of --events events (Avro, produced with the project's serdes on
// a fresh topic prefix) in which one "hot" pool has exactly --hot-events events spread evenly through it; the
// real connector loads it into a DuckDB file (load time reported); the real gateway answers
// GET /v1/pools/{hot}/history and GET /v1/pools/{hot}?asOf= at an open-loop rate, latency from each
// request's scheduled start. REFERENCE, in the same run: the same question answered from the journal, by
// reading the events topic end to end (read_committed, assigned, no group) and keeping the pool's records,
// which is what a journal-based answer without an index costs. Loopback only; every process it starts is
// stopped by pid. Needs the local stack (npm run stack:up).
//   npm run bench:history -- --events 1000000 --rate 20 --seconds 10
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { loadConfig } from '../src/config';
import { connectSerdes, topicNames, topicSpecs } from '../src/contracts';
import type { EventEnvelope } from '../src/domain';
import {
  createKafka,
  deleteTopics,
  ensureTopicsOrThrow,
  partitionForKey,
  readToEnd,
  topicEndOffsets,
} from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { freePort, scratchDir, ServiceProcess } from '../test/support/serviceProcess';
import { BENCH_AUTH_ENV, benchKeyHeader } from './benchKeys';
import { runOpenLoop, type OpenLoopResult } from './openLoop';
import { writeResult } from './writeResult';

const options = new Command()
  .option('--events <n>', 'events in the journal', '1000000')
  .option('--hot-events <n>', 'events of the hot pool, spread evenly through the journal', '1000')
  .option('--pools <n>', 'other pools the rest of the events belong to', '20000')
  .option('--partitions <n>', 'partitions', '12')
  .option('--rate <n>', 'offered history requests per second', '20')
  .option('--seconds <n>', 'measured seconds per request kind', '10')
  .option('--warmup <n>', 'warm-up seconds before each (same rate, not recorded)', '2')
  .option('--reference-runs <n>', 'journal scans for the reference', '3')
  .option('--load-timeout-s <n>', 'give up when the connector has not loaded the journal by then', '600')
  .parse(process.argv)
  .opts<{
    events: string;
    hotEvents: string;
    pools: string;
    partitions: string;
    rate: string;
    seconds: string;
    warmup: string;
    referenceRuns: string;
    loadTimeoutS: string;
  }>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.UTC(2030, 0, 1);
const STEP_MS = 10; // event i occurred at T0 + i * 10 ms

/** Event i of the journal: every `every`-th is the hot pool's, the rest go round-robin over the others. */
function eventAt(i: number, hotPool: string, every: number, pools: number): EventEnvelope {
  const occurredAt = T0 + i * STEP_MS;
  const commandId = `cmd-${i}`;
  if (i % every === Math.floor(every / 2)) {
    const version = Math.floor(i / every) + 1;
    const event: EventEnvelope['event'] =
      version === 1
        ? {
            type: 'PoolDefined',
            zone: 'bench',
            slotStart: T0 + 86_400_000,
            slotEnd: T0 + 93_600_000,
            capacity: 100_000,
            bookableUntil: null,
          }
        : version % 10 === 0
          ? { type: 'CapacityChanged', capacity: 100_000 + version, previousCapacity: 100_000 + version - 10 }
          : version % 10 === 5
            ? { type: 'CapacityReleased', reservationId: `r1.${hotPool}.${version - 1}`, units: 1 }
            : {
                type: 'CapacityReserved',
                reservationId: `r1.${hotPool}.${version}`,
                units: 1,
                requestId: `req-${version}`,
              };
    return { poolId: hotPool, version, commandId, occurredAt, event };
  }
  const h = Math.floor(every / 2);
  const j = i - (i > h ? Math.floor((i - h - 1) / every) + 1 : 0); // background events before i
  const poolId = `bg-${j % pools}`;
  const version = Math.floor(j / pools) + 1;
  const event: EventEnvelope['event'] =
    version === 1
      ? {
          type: 'PoolDefined',
          zone: `z-${j % 10}`,
          slotStart: T0,
          slotEnd: T0 + 7_200_000,
          capacity: 1_000_000,
          bookableUntil: null,
        }
      : { type: 'CapacityReserved', reservationId: `r1.${poolId}.${version}`, units: 1, requestId: `q-${j}` };
  return { poolId, version, commandId, occurredAt, event };
}

const fmt = (r: OpenLoopResult) =>
  `offered ${r.offeredPerSec}/s, achieved ${r.achievedPerSec}/s, ok ${r.ok}/${r.scheduled}, ` +
  `p50 ${r.latency.ok.p50Ms.toFixed(1)} ms, p99 ${r.latency.ok.p99Ms.toFixed(1)} ms, max ${r.latency.ok.maxMs.toFixed(1)} ms`;

async function main(): Promise<void> {
  const events = Number(options.events);
  const hotEvents = Number(options.hotEvents);
  const every = Math.floor(events / hotEvents);
  if (every < 2) throw new Error('--events must be at least twice --hot-events');
  const pools = Number(options.pools);
  const prefix = uniqueName('bench-hist');
  const hotPool = `hot-${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    CAPACITY_TOPIC_PREFIX: prefix,
    CAPACITY_PARTITIONS: options.partitions,
    CAPACITY_APPLICATION_ID: uniqueName('bench-hist-app'),
    CAPACITY_LOG_LEVEL: 'warn',
    ...BENCH_AUTH_ENV,
  };
  const config = loadConfig({ ...process.env, ...env });
  const logger = createLogger('error');
  const kafka = createKafka(config, { clientId: uniqueName('bench-hist'), logger });
  await ensureTopicsOrThrow(kafka, topicSpecs(config.topicPrefix, config.partitions), 1);
  const topics = topicNames(config.topicPrefix);
  const serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
  console.log(
    `history bench: ${events} events (${hotEvents} of pool ${hotPool}, one every ${every}), ${pools} other pools, ` +
      `${config.partitions} partitions, prefix ${prefix}; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );

  // 1. The journal.
  const producer = kafka.kafkaJS.producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  const produceStart = performance.now();
  const chunk = 20_000;
  for (let i = 0; i < events; i += chunk) {
    const messages = [];
    for (let k = i; k < Math.min(events, i + chunk); k++) {
      const e = eventAt(k, hotPool, every, pools);
      messages.push({
        key: e.poolId,
        value: serdes.event.encode(e),
        partition: partitionForKey(e.poolId, config.partitions),
      });
    }
    await producer.send({ topic: topics.events, messages });
  }
  await producer.disconnect();
  const produceSeconds = (performance.now() - produceStart) / 1000;
  const ends = await topicEndOffsets(kafka, topics.events);
  const produced = [...ends.values()].reduce((a, b) => a + b, 0);
  if (produced !== events) throw new Error(`the events topic holds ${produced} records, expected ${events}`);
  console.log(`produced ${events} events in ${produceSeconds.toFixed(1)} s`);

  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const p of started.reverse()) if (p.exitCode === undefined) await p.stop(30_000);
  };
  try {
    // 2. The real connector loads it into a DuckDB file.
    const file = join(scratchDir('bench-history'), 'warehouse.duckdb');
    const loadStart = performance.now();
    const connector = await ServiceProcess.start('connector', 'bench-history-connector', {
      ...env,
      CAPACITY_WAREHOUSE_DUCKDB_FILE: file,
      CAPACITY_WAREHOUSE_URL: '',
      WAREHOUSE_URL: '',
      CAPACITY_CONNECTOR_GROUP: uniqueName('bench-hist-conn'),
    });
    started.push(connector);
    const deadline = Date.now() + Number(options.loadTimeoutS) * 1000;
    let loaded = 0;
    for (;;) {
      if (connector.exitCode !== undefined)
        throw new Error(`connector exited:\n${connector.log().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`the connector loaded ${loaded} of ${events} in time`);
      const health = (await fetch(`http://127.0.0.1:${connector.metricsPort}/healthz`)
        .then((r) => r.json())
        .catch(() => null)) as { positions?: { key: string; nextOffset: number }[] } | null;
      loaded = (health?.positions ?? [])
        .filter((p) => p.key.startsWith(`${topics.events}:`))
        .reduce((a, p) => a + p.nextOffset, 0);
      if (loaded >= events) break;
      await sleep(250);
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    console.log(
      `connector loaded ${events} events into DuckDB in ${loadSeconds.toFixed(1)} s (${Math.round(events / loadSeconds)} events/s, ` +
        `file ${(statSync(file).size / 1e6).toFixed(0)} MB)`,
    );

    // 3. The real gateway, asking the connector.
    const port = await freePort();
    const gateway = await ServiceProcess.start('gateway', 'bench-history-gateway', {
      ...env,
      CAPACITY_HTTP_PORT: String(port),
      CAPACITY_HISTORY_URL: `http://127.0.0.1:${connector.metricsPort}`,
    });
    started.push(gateway);
    for (let ready = false; !ready; await sleep(200)) {
      if (gateway.exitCode !== undefined) throw new Error(`gateway exited:\n${gateway.log().slice(-2000)}`);
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    }
    const historyPath = `/v1/pools/${hotPool}/history`;
    const check = await fetch(`http://127.0.0.1:${port}${historyPath}`, {
      headers: benchKeyHeader('reader'),
    });
    const body = (await check.json()) as { events?: { version: number }[]; complete?: boolean };
    const versions = body.events?.map((e) => e.version) ?? [];
    if (
      check.status !== 200 ||
      versions.length !== hotEvents ||
      versions.some((v, i) => v !== i + 1) ||
      !body.complete
    )
      throw new Error(`unexpected history answer ${check.status}: ${JSON.stringify(body).slice(0, 500)}`);
    // An instant in the middle of the hot pool's life, between two of its events.
    const midVersion = Math.floor(hotEvents / 2);
    const asOfTime = new Date(
      T0 + ((midVersion - 1) * every + Math.floor(every / 2)) * STEP_MS + 1,
    ).toISOString();
    const asOfPath = `/v1/pools/${hotPool}?asOf=${asOfTime}`;
    const asOfAnswer = (await (
      await fetch(`http://127.0.0.1:${port}${asOfPath}`, { headers: benchKeyHeader('reader') })
    ).json()) as { version?: number };
    if (asOfAnswer.version !== midVersion)
      throw new Error(`asOf answered version ${asOfAnswer.version}, expected ${midVersion}`);

    const load = (path: string, target = port) =>
      runOpenLoop({
        port: target,
        rate: Number(options.rate),
        seconds: Number(options.seconds),
        warmupSeconds: Number(options.warmup),
        maxOutstanding: 200,
        timeoutMs: 10_000,
        request: () => ({ method: 'GET', path, headers: benchKeyHeader('reader') }),
      });
    const asOf = await load(asOfPath);
    console.log(`GET ${asOfPath}: ${fmt(asOf)}`);
    const history = await load(historyPath);
    console.log(`GET ${historyPath}: ${fmt(history)}`);
    // The connector's own endpoint, without the gateway: where the time goes.
    const direct = {
      history: await load(`/history/${hotPool}`, connector.metricsPort),
      asOf: await load(`/history/${hotPool}?asOf=${asOfTime}`, connector.metricsPort),
    };
    console.log(`connector direct, history: ${fmt(direct.history)}`);
    console.log(`connector direct, asOf: ${fmt(direct.asOf)}`);

    // 4. Reference: the journal read end to end, the pool's records kept (and decoded).
    const reference: { seconds: number; records: number; found: number }[] = [];
    const partitions = [...ends.keys()].map((partition) => ({
      topic: topics.events,
      partition,
      fromOffset: null,
    }));
    for (let run = 0; run < Number(options.referenceRuns); run++) {
      const t = performance.now();
      const mine: EventEnvelope[] = [];
      let records = 0;
      await readToEnd(kafka, uniqueName('bench-hist-scan'), partitions, async (read) => {
        records += read.length;
        for (const r of read)
          if (r.key?.toString() === hotPool && r.value) mine.push(await serdes.event.decode(r.value));
      });
      const seconds = (performance.now() - t) / 1000;
      if (mine.length !== hotEvents) throw new Error(`the scan found ${mine.length} events of ${hotPool}`);
      reference.push({ seconds: Number(seconds.toFixed(3)), records, found: mine.length });
      console.log(
        `reference: journal scan of ${records} records found ${mine.length} events in ${seconds.toFixed(2)} s`,
      );
    }
    const sorted = reference.map((r) => r.seconds).sort((a, b) => a - b);

    console.log('\npool history of one pool with %d events in a journal of %d', hotEvents, events);
    console.log(
      'request                               offered/s achieved/s   p50 ms   p99 ms   max ms  failed',
    );
    for (const [name, r] of [
      ['warehouse: GET …/history', history],
      ['warehouse: GET …?asOf=', asOf],
      ['  (connector alone: /history)', direct.history],
      ['  (connector alone: ?asOf=)', direct.asOf],
    ] as const)
      console.log(
        `${name.padEnd(37)} ${String(r.offeredPerSec).padStart(9)} ${String(r.achievedPerSec).padStart(10)} ` +
          `${r.latency.ok.p50Ms.toFixed(1).padStart(8)} ${r.latency.ok.p99Ms.toFixed(1).padStart(8)} ` +
          `${r.latency.ok.maxMs.toFixed(1).padStart(8)} ${String(r.failed).padStart(7)}`,
      );
    console.log(
      `${'reference: journal scan (per answer)'.padEnd(37)} ${'-'.padStart(9)} ${'-'.padStart(10)} ` +
        `${(sorted[Math.floor(sorted.length / 2)]! * 1000).toFixed(0).padStart(8)} ${'-'.padStart(8)} ` +
        `${(sorted.at(-1)! * 1000).toFixed(0).padStart(8)}  (${reference.length} scans, median and max)`,
    );
    const target =
      history.latency.ok.p99Ms < 100 && asOf.latency.ok.p99Ms < 100 && history.failed + asOf.failed === 0;
    console.log(`target p99 < 100 ms with no failures: ${target ? 'PASS' : 'FAIL'}`);
    const file2 = writeResult('history', {
      events,
      hotEvents,
      pools,
      partitions: config.partitions,
      produceSeconds,
      loadSeconds,
      duckdbBytes: statSync(file).size,
      history,
      asOf,
      direct,
      asOfTime,
      reference,
      target: target ? 'PASS' : 'FAIL',
      machine: { cores: cpus().length, loadavg: loadavg() },
    });
    console.log(`results: ${file2}`);
  } finally {
    await stopAll();
    // The journal of this run is a few hundred MB on the shared stack: deleted, not left behind.
    await deleteTopics(kafka, Object.values(topics)).catch((error: unknown) =>
      console.error(`could not delete the bench topics of ${prefix}: ${String(error)}`),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
