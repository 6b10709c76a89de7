// A processor that was down longer than the command topic's retention: its position is below the log
// start. It must neither seek there forever with green health nor go quiet: it reports the lost commands
// (unhealthy, with the offsets) and goes on with the commands that are still there.
import { topicNames } from '../../src/contracts';
import { createKafka, partitionForKey, topicOffsets } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import { ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;

afterEach(async () => {
  await env?.killAll();
});

test('commands deleted by retention before they were processed: reported, and processing goes on', async () => {
  env = await serviceEnv({ CAPACITY_PARTITIONS: '1' });
  const client = await env.client();
  try {
    const first = await env.startProcessor('p');
    const poolId = 'retention-pool';
    const slot = { slotStart: Date.UTC(2030, 11, 5, 8), slotEnd: Date.UTC(2030, 11, 5, 10) };
    const defined = await client.submit({ type: 'DefinePool', poolId, zone: 'z', ...slot, capacity: 10 });
    expect(defined.status).toBe('accepted');
    expect(await first.stop()).toBe(0);

    // While no processor runs: commands arrive (their callers give up), then retention deletes them.
    const unanswered = await Promise.allSettled(
      [1, 2, 3].map(() => client.reserve(poolId, 1, { timeoutMs: 300 })),
    );
    expect(unanswered.every((r) => r.status === 'rejected')).toBe(true);
    const kafka = createKafka(env.config, { clientId: 'retention-test', logger: createLogger('error') });
    const commands = topicNames(env.config.topicPrefix).commands;
    const partition = partitionForKey(poolId, 1);
    const { high } = (await topicOffsets(kafka, commands)).get(partition) ?? { high: 0 };
    const admin = kafka.kafkaJS.admin();
    await admin.connect();
    await admin.deleteTopicRecords({ topic: commands, partitions: [{ partition, offset: String(high) }] });
    await admin.disconnect();

    const second = await ServiceProcess.start('processor', 'p2', env.processorEnv('p'));
    let health = await second.health();
    for (let i = 0; i < 300 && !(health?.body.tasks[0]?.state === 'ready'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      health = await second.health();
    }
    expect(health?.status).toBe(503);
    expect(health?.body.healthy).toBe(false);
    expect(JSON.stringify(health?.body)).toMatch(
      new RegExp(`commands at offsets 1\\.\\.${high - 1} of .* were deleted by retention`),
    );
    // The commands still in the topic are processed: the pool is usable.
    const after = await client.reserve(poolId, 2, { timeoutMs: 30_000 });
    expect(after.status).toBe('accepted');
    expect(second.log()).toContain('deleted by retention before they were processed');
    const check = await env.check();
    expect(check.violations).toEqual([]);
    expect(await second.stop()).toBe(0);
  } finally {
    await client.close();
  }
});
