// Warm standby replicas with real processor processes: an instance keeps copies of partitions it does not
// own, so when their owner is killed it restores only what its copies had not applied, not everything.
import type { CapacityClient } from '../../src/client';
import { runLoad } from '../support/load';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';
import type { ServiceProcess } from '../support/serviceProcess';

let env: ServiceEnv;
let client: CapacityClient;

afterEach(async () => {
  await client?.close();
  await env?.killAll();
});

/** A labelled gauge's value per partition, from the Prometheus text of /metrics. */
function perPartition(metricsText: string, metric: string): Map<number, number> {
  const values = new Map<number, number>();
  const pattern = new RegExp(`^${metric}\\{partition="(\\d+)"\\} (\\S+)$`, 'gm');
  for (const [, partition, value] of metricsText.matchAll(pattern))
    values.set(Number(partition), Number(value));
  return values;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Two processors, a load of reserves over every partition, then kill -9 of the first: returns how many
 * changelog records the survivor restored for the partitions it took over.
 */
async function takeoverRestore(standbyReplicas: number): Promise<{ restored: number; moved: number[] }> {
  env = await serviceEnv({ CAPACITY_STANDBY_REPLICAS: String(standbyReplicas) });
  client = await env.client();
  const victim = await env.startProcessor('victim');
  const survivor: ServiceProcess = await env.startProcessor('survivor');
  await survivor.waitUntil((tasks) => tasks.length === 3, 'rebalance to 3+3');
  const moved = (await victim.waitReady()).map((t) => t.partition);

  const report = await runLoad(client, {
    poolPrefix: 'standby',
    pools: 60,
    capacity: 1000,
    commands: 1200,
    inFlight: 50,
  });
  expect(report.failures).toEqual([]);

  if (standbyReplicas > 0) {
    // The survivor follows exactly the victim's partitions and has applied all of them.
    await waitFor('standby copies caught up', async () => {
      const lag = perPartition(await survivor.metrics(), 'capacity_processor_standby_lag');
      const caughtUp = moved.every((p) => lag.get(p) === 0) && lag.size === moved.length;
      return caughtUp ? true : null;
    });
  }
  await victim.kill();
  await survivor.waitUntil(
    (tasks) => tasks.length === 6 && tasks.every((t) => t.state === 'ready'),
    'takeover of every partition',
  );
  const restoredByPartition = perPartition(
    await survivor.metrics(),
    'capacity_processor_takeover_restore_records',
  );
  const restored = moved.reduce((sum, p) => sum + (restoredByPartition.get(p) ?? Number.NaN), 0);

  const check = await env.check();
  expect(check.violations).toEqual([]);
  expect(check.results).toBe(check.commands);
  return { restored, moved };
}

test('a takeover from a warm standby restores fewer records than a cold one', async () => {
  const cold = await takeoverRestore(0);
  await client.close();
  await env.killAll();
  const warm = await takeoverRestore(1);

  // Cold: every pool and reservation of the moved partitions comes from the changelogs.
  expect(cold.restored).toBeGreaterThan(300);
  // Warm: the copies were caught up before the kill, so almost nothing is left to restore.
  expect(warm.restored).toBeLessThan(cold.restored / 10);
});
