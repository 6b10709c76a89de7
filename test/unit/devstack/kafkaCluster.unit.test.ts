// A stack's broker count is fixed when its cluster is formatted: the record round-trips, a different count
// on an existing cluster is refused with what to do, and `--brokers` takes only 1 or 3.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import {
  clientSettings,
  kafkaNodes,
  nodeFiles,
  parseBrokerCount,
  parseClusterRecord,
  readClusterRecord,
  renderClusterRecord,
  resolveBrokerCount,
  stackEndpoints,
  stackLayout,
} from '../../../src/devstack';

const config = loadConfig({
  CAPACITY_STACK_DIR: '/s',
  CAPACITY_BROKERS: '127.0.0.1:19092',
  CAPACITY_STACK_CONTROLLER_PORT: '19192',
  CAPACITY_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
});
const layout = stackLayout(config);

test('the record round-trips; an edited one is an error naming the file', () => {
  const record = { brokers: 3 as const, clusterId: 'abc_DEF-123' };
  expect(parseClusterRecord(renderClusterRecord(record), 'f')).toEqual(record);
  expect(() => parseClusterRecord('brokers=2\ncluster.id=x\n', '/s/data/kafka-cluster.properties')).toThrow(
    /^\/s\/data\/kafka-cluster\.properties: expected brokers=1 or 3/,
  );
});

test('--brokers takes 1 or 3', () => {
  expect(parseBrokerCount('1')).toBe(1);
  expect(parseBrokerCount('3')).toBe(3);
  expect(() => parseBrokerCount('2')).toThrow('--brokers: must be 1 or 3 (got "2")');
});

test('a new stack takes the count asked for (1 by default); an existing one keeps its own', () => {
  expect(resolveBrokerCount(null, undefined, layout)).toBe(1);
  expect(resolveBrokerCount(null, 3, layout)).toBe(3);
  expect(resolveBrokerCount(3, undefined, layout)).toBe(3);
  expect(resolveBrokerCount(3, 3, layout)).toBe(3);
  expect(() => resolveBrokerCount(1, 3, layout)).toThrow(
    "--brokers 3: this stack's Kafka cluster (/s/data) was formatted with 1 broker, and a cluster keeps its " +
      'size; run `capacity stack down`, delete /s/data',
  );
  expect(() => resolveBrokerCount(3, 1, layout)).toThrow(
    /formatted with 3 brokers.*or use another CAPACITY_STACK_DIR/,
  );
});

test('node files depend on the stack folder alone; the single broker keeps its old names', () => {
  expect(nodeFiles(layout, 1)).toEqual([
    { nodeId: 1, name: 'kafka', dataDir: '/s/data/kafka', propertiesFile: '/s/run/kafka.properties' },
  ]);
  expect(nodeFiles(layout, 3).map((n) => n.name)).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
});

test('the client settings of a cluster name every broker and replication factor 3', () => {
  const nodes = kafkaNodes(stackEndpoints(config, 3), layout);
  expect(clientSettings(nodes)).toEqual([
    'CAPACITY_BROKERS=127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094',
    'CAPACITY_REPLICATION_FACTOR=3',
  ]);
});

test('a record counts only while a log dir of its cluster is formatted; an old single stack has none', () => {
  const root = mkdtempSync(join(tmpdir(), 'capacity-record-'));
  try {
    const here = stackLayout(loadConfig({ CAPACITY_STACK_DIR: root }));
    expect(readClusterRecord(here)).toBeNull();
    // A stack formatted before the record existed: one broker, its id from meta.properties.
    mkdirSync(here.kafkaData, { recursive: true });
    writeFileSync(join(here.kafkaData, 'meta.properties'), 'version=1\ncluster.id=old-id\nnode.id=1\n');
    expect(readClusterRecord(here)).toEqual({ brokers: 1, clusterId: 'old-id' });
    rmSync(here.kafkaData, { recursive: true });
    // Three brokers recorded: formatted while any of their log dirs is, stale once all are deleted.
    writeFileSync(here.kafkaCluster, renderClusterRecord({ brokers: 3, clusterId: 'c3' }));
    expect(readClusterRecord(here)).toBeNull();
    mkdirSync(join(root, 'data', 'kafka-2'), { recursive: true });
    writeFileSync(join(root, 'data', 'kafka-2', 'meta.properties'), 'cluster.id=c3\n');
    expect(readClusterRecord(here)).toEqual({ brokers: 3, clusterId: 'c3' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
