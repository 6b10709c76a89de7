// A processor whose consumer is fenced for good (librdkafka's fatal error: here another member joins with
// its group.instance.id, as the coordinator does to a static member after a broker failover, found by the
// chaos soak) must not stay up without partitions: it stops and exits 75 so its supervisor starts it again,
// and the new process rejoins with the same instance id.
import { topicNames } from '../../src/contracts';
import { createKafka, GroupMember } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
const started: ServiceProcess[] = [];

beforeEach(async () => {
  env = await serviceEnv();
});

afterEach(async () => {
  await env.killAll();
  for (const p of started.splice(0)) if (p.exitCode === undefined) await p.kill();
});

test('a processor fenced out of its static membership exits 75, and its restart rejoins', async () => {
  const instance = { CAPACITY_INSTANCE_ID: `${env.config.applicationId}-static` };
  const first = await ServiceProcess.start('processor', 'fenced', env.processorEnv('fenced', instance));
  started.push(first);
  await first.waitReady();

  const impostor = await GroupMember.join(
    createKafka(env.config, { clientId: 'impostor', logger: createLogger('error') }),
    {
      groupId: env.config.applicationId,
      topic: topicNames(env.config.topicPrefix).commands,
      sessionTimeoutMs: 6000,
      instanceId: instance.CAPACITY_INSTANCE_ID,
      maxPollIntervalMs: 30_000,
    },
  );
  const deadline = Date.now() + 60_000;
  while (first.exitCode === undefined && Date.now() < deadline) {
    await impostor.consumer.consume(10, 100).catch(() => []);
    impostor.takeEvents();
    impostor.completeRevocations();
  }
  await impostor.leave();
  expect(first.exitCode).toBe(75);
  expect(first.log()).toContain('processor must restart, its group membership is lost for good');

  const again = await ServiceProcess.start('processor', 'fenced-again', env.processorEnv('fenced', instance));
  started.push(again);
  const tasks = await again.waitReady(90_000);
  expect(tasks.length).toBe(env.config.partitions);
});
