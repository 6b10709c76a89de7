// Warehouse connector benchmark: a backlog of N events (and the N pool states they lead to) on the
// topics, then `capacity connector` started as a user runs it, once per sink; rows per second from the
// first committed batch until every record is in the warehouse. Needs the local stack (npm run stack:up,
// PostgreSQL included). Bounded in count and time; loopback only.
//   npm run bench:connector -- --events 100000 --sinks duckdb,postgres --batch 2000
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/config';
import {
  caughtUp,
  makeHistory,
  sinkReport,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
} from '../test/integration/connector/connectorTestKit';
import { uniqueName } from '../test/support/names';
import { ServiceProcess } from '../test/support/serviceProcess';

const options = new Command()
  .option('--events <n>', 'events (each with its pool state)', '100000')
  .option('--pools <n>', 'pools', '1000')
  .option('--partitions <n>', 'partitions', '12')
  .option('--batch <n>', 'CAPACITY_CONNECTOR_BATCH_SIZE', '2000')
  .option('--sinks <list>', 'duckdb,postgres', 'duckdb,postgres')
  .parse(process.argv)
  .opts<{ events: string; pools: string; partitions: string; batch: string; sinks: string }>();

interface SinkResult {
  sink: SinkKind;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  eventsPerSec: number;
  startupSeconds: number;
  fileBytes?: number;
}

async function main(): Promise<void> {
  const events = Number(options.events);
  const pools = Number(options.pools);
  const prefix = uniqueName('bench-conn');
  const env = {
    CAPACITY_TOPIC_PREFIX: prefix,
    CAPACITY_PARTITIONS: options.partitions,
    CAPACITY_LOG_LEVEL: 'warn',
  };
  const topics = await topicEnv(loadConfig({ ...process.env, ...env }), env);
  const history = makeHistory('bench', pools, Math.ceil(events / pools));
  history.events.length = events;
  history.states.length = events;
  const producedAt = Date.now();
  await topics.produce(history, 2000);
  console.log(
    `produced ${events} events + ${events} pool states in ${((Date.now() - producedAt) / 1000).toFixed(1)}s`,
  );
  const ends = await topics.endOffsets();

  const results: SinkResult[] = [];
  for (const sink of options.sinks.split(',') as SinkKind[]) {
    const group = uniqueName('bench-group');
    const warehouse = await testWarehouse(sink, group);
    const started = Date.now();
    const proc = await ServiceProcess.start('connector', `bench-${sink}`, {
      ...env,
      ...warehouse.env,
      CAPACITY_CONNECTOR_GROUP: group,
      CAPACITY_CONNECTOR_BATCH_SIZE: options.batch,
    });
    let firstProgressAt: number | null = null;
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      if (proc.exitCode !== undefined) throw new Error(`connector exited:\n${proc.log().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error('benchmark timed out');
      const health = await fetch(`http://127.0.0.1:${proc.metricsPort}/healthz`)
        .then((r) => r.json() as Promise<{ positions: { key: string; nextOffset: number }[] }>)
        .catch(() => null);
      if (health && health.positions.length > 0) {
        firstProgressAt ??= Date.now();
        if (caughtUp(new Map(health.positions.map((p) => [p.key, p.nextOffset])), ends)) break;
      }
      await sleep(100);
    }
    const done = Date.now();
    await proc.stop();
    const db = await warehouse.open();
    const report = await sinkReport(db);
    await db.close();
    const rows = report.events + report.states;
    if (report.events !== events || report.states !== events)
      throw new Error(`${sink}: expected ${events} + ${events} rows, found ${JSON.stringify(report)}`);
    const seconds = (done - (firstProgressAt ?? started)) / 1000;
    results.push({
      sink,
      rows,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSec: Math.round(rows / seconds),
      eventsPerSec: Math.round(events / seconds),
      startupSeconds: Number((((firstProgressAt ?? started) - started) / 1000).toFixed(2)),
      ...(warehouse.target.kind === 'duckdb' ? { fileBytes: statSync(warehouse.target.file).size } : {}),
    });
    console.log(JSON.stringify(results.at(-1)));
    await warehouse.drop();
  }
  await topics.close();
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `connector-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { events, pools, partitions: Number(options.partitions), batch: Number(options.batch), results },
      null,
      2,
    ),
  );
  console.table(results);
  console.log(`results: ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
