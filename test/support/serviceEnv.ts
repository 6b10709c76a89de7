// Per-test service environments: unique topics, group and state, and clients/checkers that share them.
import { join } from 'node:path';
import { checkInvariants, type CheckReport } from '../../src/checker';
import { CapacityClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { topicSpecs } from '../../src/contracts';
import { createKafka, ensureTopicsOrThrow } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { testKeysEnv } from './apiKeys';
import { uniqueName } from './names';
import { scratchDir, ServiceProcess } from './serviceProcess';

export interface ServiceEnv {
  readonly config: Config;
  /** Environment for a processor instance with its own state directory. */
  processorEnv(instance: string, extra?: Record<string, string>): Record<string, string>;
  client(): Promise<CapacityClient>;
  check(): Promise<CheckReport>;
  /** Starts `capacity processor` with its own state directory and waits until its tasks are ready. */
  startProcessor(instance: string): Promise<ServiceProcess>;
  /** Kills (SIGKILL) every process this environment started that is still running. */
  killAll(): Promise<void>;
}

export async function serviceEnv(overrides: Record<string, string> = {}): Promise<ServiceEnv> {
  const base = {
    CAPACITY_TOPIC_PREFIX: uniqueName('svc'),
    CAPACITY_PARTITIONS: '6',
    CAPACITY_APPLICATION_ID: uniqueName('app'),
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_REQUEST_TIMEOUT_MS: '90000',
    CAPACITY_LOG_LEVEL: 'info',
    ...testKeysEnv(),
    ...overrides,
  };
  const config = loadConfig({ ...process.env, ...base });
  const logger = createLogger('error');
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'test-setup', logger }),
    topicSpecs(config.topicPrefix, config.partitions),
    1,
  );
  const stateRoot = scratchDir('state');
  const started: ServiceProcess[] = [];
  const processorEnv = (instance: string, extra: Record<string, string> = {}) => ({
    ...base,
    CAPACITY_STATE_DIR: join(stateRoot, instance),
    ...extra,
  });
  return {
    config,
    processorEnv,
    startProcessor: async (instance) => {
      const p = await ServiceProcess.start('processor', instance, processorEnv(instance));
      started.push(p);
      await p.waitReady();
      return p;
    },
    killAll: async () => {
      for (const p of started.splice(0)) if (p.exitCode === undefined) await p.kill();
    },
    client: () => CapacityClient.connect(config, logger, uniqueName('test-client')),
    check: () => checkInvariants(config, logger),
  };
}
