// The local brokers' properties: a single plain broker renders exactly what the stack always ran; a SASL
// stack authenticates clients and its own inter-broker connections with SCRAM-SHA-512 on the one client
// listener; a three-broker stack is one static quorum of combined nodes with replicated internal topics.
import { loadConfig } from '../../../src/config';
import {
  kafkaLog4j,
  kafkaNodes,
  kafkaProperties,
  stackEndpoints,
  stackLayout,
  type StackSaslCredentials,
} from '../../../src/devstack';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);
const config = (env: Record<string, string> = {}) =>
  loadConfig({
    CAPACITY_STACK_DIR: '/s',
    CAPACITY_BROKERS: '127.0.0.1:9092',
    CAPACITY_STACK_CONTROLLER_PORT: '9093',
    CAPACITY_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    ...env,
  });
const single = kafkaNodes(stackEndpoints(config(), 1, loopback), stackLayout(config()));
const user: StackSaslCredentials = { mechanism: 'scram-sha-512', username: 'capacity', password: 'pw' };
const props = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

test('one broker: exactly the properties the single-node stack always had', () => {
  expect(kafkaProperties(single, 1, null).split('\n')).toEqual([
    'process.roles=broker,controller',
    'node.id=1',
    'controller.quorum.voters=1@127.0.0.1:9093',
    'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
    'advertised.listeners=PLAINTEXT://127.0.0.1:9092',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs=/s/data/kafka',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
    'auto.create.topics.enable=false',
    'log.cleaner.backoff.ms=5000',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ]);
  expect(single.map((n) => [n.name, n.propertiesFile])).toEqual([['kafka', '/s/run/kafka.properties']]);
});

test('SASL: the client listener is SASL_PLAINTEXT with SCRAM-SHA-512, also between brokers', () => {
  const p = props(kafkaProperties(single, 1, user));
  expect(p.get('listeners')).toBe('SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
  expect(p.get('advertised.listeners')).toBe('SASL_PLAINTEXT://127.0.0.1:9092');
  expect(p.get('inter.broker.listener.name')).toBe('SASL_PLAINTEXT');
  expect(p.get('listener.security.protocol.map')).toBe('SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT');
  expect(p.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
  expect(p.get('sasl.mechanism.inter.broker.protocol')).toBe('SCRAM-SHA-512');
  expect(p.get('listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config')).toBe(
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="capacity" password="pw";',
  );
});

test('SASL: refused logins are logged by the broker', () => {
  expect(kafkaLog4j(true)).toContain('log4j.logger.org.apache.kafka.common.network.Selector=INFO');
  expect(kafkaLog4j(false)).not.toContain('Selector');
});

describe('three brokers', () => {
  const c = config({ CAPACITY_BROKERS: '127.0.0.1:19092', CAPACITY_STACK_CONTROLLER_PORT: '19192' });
  const nodes = kafkaNodes(stackEndpoints(c, 3, loopback), stackLayout(c));

  test('each node is broker and controller of one static quorum, with its own ports, data and files', () => {
    expect(
      nodes.map((n) => [n.nodeId, n.name, n.port, n.controllerPort, n.dataDir, n.propertiesFile]),
    ).toEqual([
      [1, 'kafka-1', 19092, 19192, '/s/data/kafka-1', '/s/run/kafka-1.properties'],
      [2, 'kafka-2', 19093, 19193, '/s/data/kafka-2', '/s/run/kafka-2.properties'],
      [3, 'kafka-3', 19094, 19194, '/s/data/kafka-3', '/s/run/kafka-3.properties'],
    ]);
    for (const node of nodes) {
      const p = props(kafkaProperties(nodes, node.nodeId, null));
      expect(p.get('process.roles')).toBe('broker,controller');
      expect(p.get('node.id')).toBe(String(node.nodeId));
      expect(p.get('controller.quorum.voters')).toBe('1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194');
      expect(p.get('listeners')).toBe(
        `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
      );
      expect(p.get('advertised.listeners')).toBe(`PLAINTEXT://127.0.0.1:${node.port}`);
      expect(p.get('log.dirs')).toBe(node.dataDir);
    }
  });

  test('internal and new topics are replicated on all three and writable with one broker down', () => {
    const p = props(kafkaProperties(nodes, 2, null));
    expect(p.get('offsets.topic.replication.factor')).toBe('3');
    expect(p.get('transaction.state.log.replication.factor')).toBe('3');
    expect(p.get('transaction.state.log.min.isr')).toBe('2');
    expect(p.get('default.replication.factor')).toBe('3');
    expect(p.get('min.insync.replicas')).toBe('2');
    // A killed broker leaves the ISRs (and acks=all writes go on) once fenced: after 3 s, not 9 s.
    expect(p.get('broker.session.timeout.ms')).toBe('3000');
    expect(p.get('broker.heartbeat.interval.ms')).toBe('1000');
  });

  test('keeps the single broker settings the service relies on', () => {
    const p = props(kafkaProperties(nodes, 3, null));
    expect(p.get('group.min.session.timeout.ms')).toBe('1000');
    expect(p.get('transaction.abort.timed.out.transaction.cleanup.interval.ms')).toBe('1000');
    expect(p.get('auto.create.topics.enable')).toBe('false');
    expect(p.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  test('three CAPACITY_BROKERS entries: broker i listens on the i-th', () => {
    const listed = config({
      CAPACITY_BROKERS: '127.0.0.1:19092,127.0.0.1:19095,127.0.0.1:19098',
      CAPACITY_STACK_CONTROLLER_PORT: '19192',
    });
    const own = kafkaNodes(stackEndpoints(listed, 3, loopback), stackLayout(listed));
    expect(own.map((n) => n.port)).toEqual([19092, 19095, 19098]);
    expect(props(kafkaProperties(own, 2, null)).get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19095',
    );
  });
});
