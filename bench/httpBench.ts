// HTTP benchmark: availability over 10,000 pools and reserve through the gateway, each at a fixed offered
// rate (autocannon overallRate). Starts its own processor and gateway against the local stack (npm run
// stack:up first); bounded in time; loopback only.
//   npm run bench:http -- --availability-rate 2000 --reserve-rate 500 --seconds 10
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { CapacityClient } from '../src/client';
import { loadConfig } from '../src/config';
import { topicSpecs } from '../src/contracts';
import { createKafka, ensureTopicsOrThrow } from '../src/kafka';
import { createLogger } from '../src/observability';
import { uniqueName } from '../test/support/names';
import { freePort, scratchDir, ServiceProcess } from '../test/support/serviceProcess';

const options = new Command()
  .option('--pools <n>', 'pools (10 zones)', '10000')
  .option('--availability-rate <n>', 'offered availability requests per second', '2000')
  .option('--reserve-rate <n>', 'offered reserve requests per second', '500')
  .option('--seconds <n>', 'duration of each run', '10')
  .option('--processors <n>', 'processor processes', '1')
  .parse(process.argv)
  .opts<{
    pools: string;
    availabilityRate: string;
    reserveRate: string;
    seconds: string;
    processors: string;
  }>();

const DAY = 86_400_000;
const start = Date.UTC(2027, 0, 1);

async function main(): Promise<void> {
  const port = await freePort();
  const env = {
    CAPACITY_TOPIC_PREFIX: uniqueName('httpbench'),
    CAPACITY_PARTITIONS: '12',
    CAPACITY_APPLICATION_ID: uniqueName('httpbench'),
    CAPACITY_LOG_LEVEL: 'warn',
    CAPACITY_HTTP_PORT: String(port),
  };
  const config = loadConfig({ ...process.env, ...env });
  const logger = createLogger('error');
  await ensureTopicsOrThrow(
    createKafka(config, { clientId: 'httpbench', logger }),
    topicSpecs(config.topicPrefix, config.partitions),
    1,
  );
  const stateRoot = scratchDir('httpbench');
  const processes: ServiceProcess[] = [];
  for (let i = 0; i < Number(options.processors); i++) {
    const p = await ServiceProcess.start('processor', `httpbench-p${i}`, {
      ...env,
      CAPACITY_STATE_DIR: join(stateRoot, String(i)),
    });
    processes.push(p);
  }
  for (const p of processes) await p.waitReady(120_000);

  // 10 zones; per zone, pools are consecutive two-hour slots (10 a day).
  const poolCount = Number(options.pools);
  const perZone = Math.ceil(poolCount / 10);
  const client = await CapacityClient.connect(config, logger, 'httpbench-loader');
  const poolIds: string[] = [];
  const definitions: Promise<unknown>[] = [];
  for (let i = 0; i < poolCount; i++) {
    const zone = `z${i % 10}`;
    const n = Math.floor(i / 10);
    const slotStart = start + Math.floor(n / 10) * DAY + (n % 10) * 7_200_000;
    const poolId = `${zone}-${n}`;
    poolIds.push(poolId);
    definitions.push(
      client.submit(
        { type: 'DefinePool', poolId, zone, slotStart, slotEnd: slotStart + 7_200_000, capacity: 100_000 },
        { timeoutMs: 120_000 },
      ),
    );
  }
  await Promise.all(definitions);
  await client.close();

  const gateway = await ServiceProcess.start('gateway', 'httpbench-gateway', env);
  processes.push(gateway);
  const base = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 250))) {
    const status = (await fetch(`${base}/readyz`).then(
      (r) => r.json(),
      () => ({}),
    )) as { ready?: boolean; pools?: number };
    ready = status.ready === true && status.pools === poolCount;
  }

  const seconds = Number(options.seconds);
  const runs: Array<{ name: string; offered: number; result: autocannon.Result }> = [];
  const availabilityRate = Number(options.availabilityRate);
  runs.push({
    name: 'availability',
    offered: availabilityRate,
    result: await autocannon({
      url: `${base}/v1/availability`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 32,
      overallRate: availabilityRate,
      duration: seconds,
      requests: [
        {
          // A checkout page asks for one day in one zone: about 10 pools per answer.
          setupRequest: (req) => {
            const from = start + Math.floor(Math.random() * (perZone / 10)) * DAY;
            const body = {
              zone: `z${Math.floor(Math.random() * 10)}`,
              from: new Date(from).toISOString(),
              to: new Date(from + DAY).toISOString(),
              units: 1,
            };
            return { ...req, body: JSON.stringify(body) };
          },
        },
      ],
    }),
  });
  const reserveRate = Number(options.reserveRate);
  runs.push({
    name: 'reserve',
    offered: reserveRate,
    result: await autocannon({
      url: `${base}/v1/reservations`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 64,
      overallRate: reserveRate,
      duration: seconds,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ poolId: poolIds[Math.floor(Math.random() * poolIds.length)], units: 1 }),
          }),
        },
      ],
    }),
  });
  for (const p of processes) await p.stop();

  console.log(
    `\nHTTP benchmark: ${poolCount} pools, ${options.processors} processor(s), 1 gateway, ${seconds}s per run, broker on this machine`,
  );
  console.log(
    'route          offered/s  achieved/s   2xx      non-2xx  errors   p50 ms  p97.5 ms  p99 ms   max ms',
  );
  for (const { name, offered, result } of runs) {
    const l = result.latency;
    console.log(
      `${name.padEnd(14)} ${String(offered).padStart(9)} ${String(Math.round(result.requests.average)).padStart(11)} ${String(result['2xx']).padStart(7)} ${String(result.non2xx).padStart(9)} ${String(result.errors + result.timeouts).padStart(7)} ${String(l.p50).padStart(8)} ${String(l.p97_5).padStart(9)} ${String(l.p99).padStart(7)} ${String(l.max).padStart(8)}`,
    );
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `http-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        options,
        runs: runs.map(({ name, offered, result }) => ({
          name,
          offered,
          requestsPerSec: result.requests.average,
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: result.latency,
        })),
        at: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
