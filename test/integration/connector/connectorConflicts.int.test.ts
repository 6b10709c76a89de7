// Position conflicts against real Kafka and real sinks: a write that loses a conflict is re-read from the
// stored positions with nothing lost, also for partitions that had no position stored yet, and two writers
// that both store a first position for a partition end in a conflict, not in a retry loop.
import { loadConfig } from '../../../src/config';
import { Connector, loadConnectorConfig, OffsetConflictError, Warehouse } from '../../../src/connector';
import { createLogger } from '../../../src/observability';
import { uniqueName } from '../../support/names';
import { freePort } from '../../support/serviceProcess';
import {
  caughtUp,
  makeHistory,
  expectCompleteLoad,
  sleep,
  testWarehouse,
  topicEnv,
  type SinkKind,
  type TestWarehouse,
  type TopicEnv,
} from './connectorTestKit';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startConnector(): Promise<{
  connector: Connector;
  topics: TopicEnv;
  warehouse: TestWarehouse;
}> {
  const group = uniqueName('wh-group');
  const warehouse = await testWarehouse('duckdb', group);
  cleanups.push(() => warehouse.drop());
  const env = {
    ...process.env,
    CAPACITY_TOPIC_PREFIX: uniqueName('conn'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_METRICS_PORT: String(await freePort()),
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_CONNECTOR_GROUP: group,
    CAPACITY_CONNECTOR_BATCH_SIZE: '300',
    CAPACITY_CONNECTOR_BATCH_MS: '100',
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'error',
    ...warehouse.env,
  };
  const config = loadConfig(env);
  const topics = await topicEnv(config, {});
  cleanups.push(() => topics.close());
  const connector = new Connector(config, loadConnectorConfig(env), createLogger(config.logLevel));
  cleanups.push(() => connector.stop());
  await connector.start();
  return { connector, topics, warehouse };
}

test('a conflict on the first write: partitions with no stored position are read again from the start', async () => {
  // The first batch write loses a position conflict (as if another member had just moved a position): it
  // stores nothing, and it held the first rows of partitions that have no stored position yet.
  const write = jest.spyOn(Warehouse.prototype, 'write').mockImplementationOnce(async () => {
    throw new OffsetConflictError('simulated: another writer moved a position');
  });
  const running = await startConnector();
  const history = makeHistory('conflict', 6, 30);
  await running.topics.produce(history);

  const ends = await running.topics.endOffsets();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const report = running.connector.healthReport() as unknown as {
      positions: { key: string; nextOffset: number }[];
      crashed: string | null;
    };
    if (report.crashed) throw new Error(`connector crashed: ${report.crashed}`);
    if (caughtUp(new Map(report.positions.map((p) => [p.key, p.nextOffset])), ends)) break;
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(report.positions)}`);
    await sleep(200);
  }
  expect(write.mock.calls.length).toBeGreaterThan(1); // the conflict happened, and writing went on
  await running.connector.stop(); // DuckDB: one instance per file
  const warehouse = await running.warehouse.open();
  await expectCompleteLoad(warehouse, 180);
});

test('PostgreSQL: two writers both storing the first position of a partition -> the second gets a conflict', async () => {
  const kind: SinkKind = 'postgres';
  const group = uniqueName('wh-group');
  const target = await testWarehouse(kind, group);
  cleanups.push(() => target.drop());
  const first = await target.open();
  cleanups.push(() => first.close());
  const second = await target.open();
  cleanups.push(() => second.close());

  await first.write([], [{ topic: 't', partition: 0, from: null, to: 5 }]);
  await expect(second.write([], [{ topic: 't', partition: 0, from: null, to: 3 }])).rejects.toBeInstanceOf(
    OffsetConflictError,
  );
  expect(await second.positions()).toEqual(new Map([['t:0', 5]]));
  // The failed transaction was rolled back: the second writer's connection is usable again.
  await second.write([], [{ topic: 't', partition: 0, from: 5, to: 9 }]);
  expect(await first.positions()).toEqual(new Map([['t:0', 9]]));
});
