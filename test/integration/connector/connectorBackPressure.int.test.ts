// Back-pressure against real Kafka and both real sinks: a warehouse whose every write takes longer than the
// batch time pauses fetching during each write and resumes it afterwards, many times over. Pausing drops
// what the client had fetched and makes it deliver the partition again from where the batch being handed
// over began, rows the connector already took (buffered, or in a write still running). The load must stay
// exactly once: nothing skipped (a batch that does not go on from the last offset taken is never buffered),
// nothing taken twice (a duplicate row fails its write until the retry time ends), and no stall.
import { loadConfig } from '../../../src/config';
import { Connector, loadConnectorConfig, Warehouse } from '../../../src/connector';
import { createLogger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { freePort } from '../../support/serviceProcess';
import {
  caughtUp,
  expectCompleteLoad,
  makeHistory,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
} from './connectorTestKit';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const BATCH_MS = 30;

test.each<SinkKind>(['duckdb', 'postgres'])(
  '%s: every write slower than the batch time: fetching pauses and resumes, every record once',
  async (kind) => {
    const write = Warehouse.prototype.write;
    jest.spyOn(Warehouse.prototype, 'write').mockImplementation(async function (this: Warehouse, ...args) {
      await sleep(3 * BATCH_MS); // the pause timer fires during every write
      return write.apply(this, args);
    });
    const group = uniqueName('wh-group');
    const warehouse = await testWarehouse(kind, group);
    cleanups.push(() => warehouse.drop());
    const env = {
      ...process.env,
      CAPACITY_TOPIC_PREFIX: uniqueName('conn'),
      CAPACITY_PARTITIONS: '3',
      CAPACITY_METRICS_PORT: String(await freePort()),
      CAPACITY_SESSION_TIMEOUT_MS: '6000',
      CAPACITY_CONNECTOR_GROUP: group,
      CAPACITY_CONNECTOR_BATCH_SIZE: '20',
      CAPACITY_CONNECTOR_BATCH_MS: String(BATCH_MS),
      CAPACITY_CONNECTOR_RETRY_MS: '5000', // a duplicate row fails every attempt: give up soon, say so
      CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'error',
      ...warehouse.env,
    };
    const config = loadConfig(env);
    const topics = await topicEnv(config, {});
    cleanups.push(() => topics.close());
    const history = makeHistory('slow', 12, 50); // 600 events and 600 pool states
    await topics.produce(history, 100);

    const connector = new Connector(config, loadConnectorConfig(env), createLogger(config.logLevel));
    cleanups.push(() => connector.stop());
    await connector.start();
    const ends = await topics.endOffsets();
    const deadline = Date.now() + 90_000;
    let lastProgress = Date.now();
    let done = -1;
    for (;;) {
      const report = connector.healthReport() as unknown as {
        positions: { key: string; nextOffset: number }[];
        crashed: string | null;
      };
      if (report.crashed) throw new Error(`connector crashed: ${report.crashed}`);
      const positions = new Map(report.positions.map((p) => [p.key, p.nextOffset]));
      if (caughtUp(positions, ends)) break;
      const now = [...positions.values()].reduce((a, b) => a + b, 0);
      if (now !== done) [done, lastProgress] = [now, Date.now()];
      // Every write takes ~0.1 s: 15 s without one stored position moving is a stall, not slowness.
      if (Date.now() - lastProgress > 15_000 || Date.now() > deadline)
        throw new Error(`stalled at ${JSON.stringify(report.positions)}`);
      await sleep(100);
    }
    expect(await connector.metrics.pauses.get().then((m) => m.values[0]?.value ?? 0)).toBeGreaterThan(5);
    await connector.stop(); // DuckDB: one instance per file
    await expectCompleteLoad(await warehouse.open(), 600);
  },
);
