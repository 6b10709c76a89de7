// The local broker's properties: a plain stack is unchanged by SASL support; a SASL stack authenticates
// clients and its own inter-broker connections with SCRAM-SHA-512 on the one client listener.
import { kafkaLog4j, kafkaProperties, type StackSaslCredentials } from '../../../src/devstack';

const endpoints = {
  kafkaHost: '127.0.0.1',
  kafkaPort: 9092,
  controllerPort: 9093,
  registryHost: '127.0.0.1',
  registryPort: 8081,
  registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const user: StackSaslCredentials = { mechanism: 'scram-sha-512', username: 'capacity', password: 'pw' };
const props = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

test('plain: one PLAINTEXT listener for clients and the broker, no SASL settings', () => {
  const p = props(kafkaProperties(endpoints, '/d', null));
  expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
  expect(p.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
  expect(p.get('inter.broker.listener.name')).toBe('PLAINTEXT');
  expect(p.get('listener.security.protocol.map')).toBe('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT');
  expect([...p.keys()].filter((k) => k.includes('sasl'))).toEqual([]);
  expect(p.get('log.dirs')).toBe('/d');
});

test('SASL: the client listener is SASL_PLAINTEXT with SCRAM-SHA-512, also between brokers', () => {
  const p = props(kafkaProperties(endpoints, '/d', user));
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
