import { loadConfig, settings } from '../../../src/config';

test('defaults give a working local configuration', () => {
  const config = loadConfig({});
  expect(config.brokers).toEqual(['127.0.0.1:9092']);
  expect(config.registryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
  expect(config.partitions).toBe(12);
  expect(config.httpPort).toBe(8080);
  expect(config.metricsPort).toBe(9464);
  expect(config.topicPrefix).toBe('capacity');
  expect(config.sasl).toBeNull();
  expect(config.tls).toBeNull();
});

test('parses lists, numbers, booleans and SASL settings', () => {
  const config = loadConfig({
    CAPACITY_BROKERS: 'a.example:9092, b.example:9093',
    CAPACITY_PARTITIONS: '24',
    CAPACITY_TLS: 'true',
    CAPACITY_SASL_MECHANISM: 'scram-sha-512',
    CAPACITY_SASL_USERNAME: 'svc',
    CAPACITY_SASL_PASSWORD: 'secret',
    CAPACITY_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7/',
  });
  expect(config.brokers).toEqual(['a.example:9092', 'b.example:9093']);
  expect(config.partitions).toBe(24);
  expect(config.tls).toEqual({ caFile: null });
  expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'secret' });
  expect(config.registryUrl).toBe('https://registry.example/apis/ccompat/v7');
});

test.each([
  ['CAPACITY_PARTITIONS', 'twelve', /CAPACITY_PARTITIONS: must be a number \(got "twelve"\)/],
  ['CAPACITY_PARTITIONS', '0', /CAPACITY_PARTITIONS: must be an integer between 1 and 1000/],
  ['CAPACITY_HTTP_PORT', '70000', /CAPACITY_HTTP_PORT: must be a port between 1 and 65535 \(got "70000"\)/],
  ['CAPACITY_BROKERS', 'no-port', /CAPACITY_BROKERS: must be host:port/],
  ['CAPACITY_REGISTRY_URL', 'ftp://x', /CAPACITY_REGISTRY_URL: must be an http\(s\) URL/],
  ['CAPACITY_TLS', 'yes', /CAPACITY_TLS: must be true or false/],
  ['CAPACITY_LOG_LEVEL', 'loud', /CAPACITY_LOG_LEVEL: must be one of/],
  ['CAPACITY_TOPIC_PREFIX', 'has space', /CAPACITY_TOPIC_PREFIX: must be a topic prefix/],
])('%s=%s is rejected with a message naming the variable', (name, value, message) => {
  expect(() => loadConfig({ [name]: value })).toThrow(message);
});

test('reports every bad variable at once, and never echoes secrets', () => {
  let message = '';
  try {
    loadConfig({
      CAPACITY_HTTP_PORT: 'x',
      CAPACITY_METRICS_PORT: 'y',
      CAPACITY_SASL_MECHANISM: 'plain',
      CAPACITY_SASL_PASSWORD: 'hunter2',
    });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/CAPACITY_HTTP_PORT/);
  expect(message).toMatch(/CAPACITY_METRICS_PORT/);
  expect(message).toMatch(/CAPACITY_SASL_USERNAME and CAPACITY_SASL_PASSWORD: required/);
  expect(message).not.toMatch(/hunter2/);
});

test('every setting is a CAPACITY_* variable with a description', () => {
  for (const setting of settings) {
    expect(setting.env).toMatch(/^CAPACITY_[A-Z_]+$/);
    expect(setting.description.length).toBeGreaterThan(10);
  }
});
