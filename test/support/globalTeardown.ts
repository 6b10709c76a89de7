import { loadConfig } from '../../src/config';
import { stackDown } from '../../src/devstack';
import { createKafka, deleteTopics, listTopics } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { parseUniqueName, testRunId } from './names';

/**
 * Deletes the topics this run created (unique test names made since globalSetup), so a long-lived local
 * stack does not grow by hundreds of partitions per run; then stops the stack if this run started it.
 */
export default async function globalTeardown(): Promise<void> {
  const config = loadConfig();
  const since = globalThis.__capacityTestRunStartedAt;
  if (since !== undefined) {
    globalThis.__capacityTestRunStartedAt = undefined;
    const kafka = createKafka(config, { clientId: 'test-teardown', logger: createLogger('error') });
    try {
      const mine = (await listTopics(kafka)).filter((name) => {
        const parsed = parseUniqueName(name);
        return parsed !== null && parsed.runId === testRunId() && parsed.createdAt >= since;
      });
      console.log(`[stack] deleted ${await deleteTopics(kafka, mine)} test topics`);
    } catch (error) {
      console.log(`[stack] could not delete test topics: ${(error as Error).message}`);
    }
  }
  if (!globalThis.__capacityStackStartedByTests) return;
  globalThis.__capacityStackStartedByTests = false;
  await stackDown(config, (line) => console.log(`[stack] ${line}`));
}
