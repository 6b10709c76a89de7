import { topicSpecs } from '../../../src/contracts';
import { describeTopic, ensureTopics, ensureTopicsOrThrow } from '../../../src/kafka';
import { testConfig, testKafka } from '../../support/infra';

const config = testConfig();
const kafka = testKafka(config);
const specs = topicSpecs(config.topicPrefix, config.partitions);

test('creates every topic with its partition count and cleanup policy; changelogs are compacted', async () => {
  const report = await ensureTopicsOrThrow(kafka, specs, 1);
  expect(report.created).toHaveLength(8);
  for (const spec of specs) {
    const topic = await describeTopic(kafka, spec.name);
    expect(topic.partitions).toBe(config.partitions);
    expect(topic.configs['cleanup.policy']).toBe(spec.cleanupPolicy);
  }
  for (const changelog of ['pool-state', 'reservations', 'expired-pools', 'task-positions']) {
    const topic = await describeTopic(kafka, `${config.topicPrefix}.${changelog}`);
    expect(topic.configs['cleanup.policy']).toBe('compact');
  }
});

test('is idempotent, and reports drift in partitions and cleanup policy', async () => {
  const again = await ensureTopics(kafka, specs, 1);
  expect(again.created).toEqual([]);
  expect(again.drift).toEqual([]);

  const drifted = specs.map((s) =>
    s.name.endsWith('.events')
      ? { ...s, cleanupPolicy: 'compact' as const }
      : { ...s, partitions: s.partitions + 1 },
  );
  const report = await ensureTopics(kafka, drifted, 1);
  expect(report.drift).toContain(`${config.topicPrefix}.events: has cleanup.policy=delete, expected compact`);
  expect(report.drift).toContain(`${config.topicPrefix}.commands: has 3 partitions, expected 4`);
  await expect(ensureTopicsOrThrow(kafka, drifted, 1)).rejects.toThrow(/differ/);
});
