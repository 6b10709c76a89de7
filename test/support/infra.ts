// What integration and e2e tests share: the config of the stack that globalSetup started, unique names,
// and clients that are closed after each test.
import { loadConfig, type Config } from '../../src/config';
import { createKafka, type Kafka } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { uniqueName } from './names';

export { uniqueName };

/** The test stack's config; every test gets its own topic prefix so tests never see each other's data. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    CAPACITY_TOPIC_PREFIX: uniqueName('t'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_LOG_LEVEL: process.env.CAPACITY_LOG_LEVEL ?? 'error',
    ...overrides,
  });
}

export function testKafka(config: Config, clientId = uniqueName('test-client')): Kafka {
  return createKafka(config, { clientId, logger: createLogger(config.logLevel) });
}
