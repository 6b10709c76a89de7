// `capacity start` (npm start): the whole service on one machine. Local stack (unless brokers are
// external), topics, schemas, two processors, a gateway and the warehouse connector as child processes,
// a demo set of pools; Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CapacityClient } from '../client';
import type { Config } from '../config';
import { connectSerdes, topicNames, topicSpecs } from '../contracts';
import { stackDown, stackUp } from '../devstack';
import { createKafka, ensureTopicsOrThrow } from '../kafka';
import { createLogger } from '../observability';
import type { CliContext } from './main';

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/;
const CLI = resolve(__dirname, '..', '..', 'bin', 'capacity.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  readonly healthUrl: string;
  exited: boolean;
}

function startChild(
  name: string,
  command: string,
  env: Record<string, string>,
  logDir: string,
  healthUrl: string,
): Child {
  const logFile = join(logDir, `service-${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [CLI, command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const entry: Child = { name, process: child, logFile, healthUrl, exited: false };
  child.once('exit', () => (entry.exited = true));
  return entry;
}

async function waitHealthy(child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`${child.name} exited during start-up; see ${child.logFile}`);
    try {
      if ((await fetch(child.healthUrl, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${child.name} not healthy after ${timeoutMs / 1000}s; see ${child.logFile}`);
}

/** 3 zones x 7 days x 6 two-hour slots from 08:00 UTC, starting tomorrow. Idempotent (DefinePool). */
async function loadDemoPools(config: Config): Promise<number> {
  const client = await CapacityClient.connect(config, createLogger('warn'), 'capacity-start-demo');
  try {
    const tomorrow = new Date();
    tomorrow.setUTCHours(0, 0, 0, 0);
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    const definitions = [];
    for (const zone of ['north', 'centre', 'south']) {
      for (let day = 0; day < 7; day++) {
        for (let slot = 0; slot < 6; slot++) {
          const slotStart = tomorrow.getTime() + day * 86_400_000 + (8 + slot * 2) * 3_600_000;
          const poolId = `${zone}-${new Date(slotStart).toISOString().slice(0, 13).replace(/[-T]/g, '')}`;
          definitions.push(
            client.submit(
              { type: 'DefinePool', poolId, zone, slotStart, slotEnd: slotStart + 7_200_000, capacity: 20 },
              { requestId: `demo-${poolId}`, timeoutMs: 60_000 },
            ),
          );
        }
      }
    }
    return (await Promise.all(definitions)).filter((r) => r.status === 'accepted').length;
  } finally {
    await client.close();
  }
}

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(
      'run everything locally: stack, topics, schemas, 2 processors, gateway, connector, demo pools; Ctrl-C stops it all',
    )
    .option('--processors <n>', 'processor processes', '2')
    .option('--no-demo', 'do not load the demo pools')
    .action(async (options: { processors: string; demo: boolean }) => {
      const config = context.config();
      const say = context.out;
      let startedStack = false;
      if (config.brokers.every((b) => LOOPBACK.test(b))) {
        startedStack = (await stackUp(config, say)).started.length > 0;
      } else {
        say(`using external brokers ${config.brokers.join(', ')}`);
      }
      const logger = createLogger('warn');
      await ensureTopicsOrThrow(
        createKafka(config, { clientId: 'capacity-start', logger }),
        topicSpecs(config.topicPrefix, config.partitions, config.replicationFactor),
        config.replicationFactor,
      );
      await connectSerdes(
        { url: config.registryUrl, auth: config.registryAuth },
        topicNames(config.topicPrefix),
      );
      const logDir = resolve(config.stackDir, 'logs');
      mkdirSync(logDir, { recursive: true });

      const children: Child[] = [];
      const processors = Math.max(1, Number(options.processors) || 2);
      for (let i = 1; i <= processors; i++) {
        const metricsPort = config.metricsPort + i - 1;
        children.push(
          startChild(
            `processor-${i}`,
            'processor',
            {
              CAPACITY_STATE_DIR: join(config.stateDir, `processor-${i}`),
              CAPACITY_METRICS_PORT: String(metricsPort),
            },
            logDir,
            `http://127.0.0.1:${metricsPort}/healthz`,
          ),
        );
      }
      children.push(
        startChild('gateway', 'gateway', {}, logDir, `http://127.0.0.1:${config.httpPort}/readyz`),
      );
      if (program.commands.some((c) => c.name() === 'connector')) {
        const metricsPort = config.metricsPort + processors;
        children.push(
          startChild(
            'connector',
            'connector',
            { CAPACITY_METRICS_PORT: String(metricsPort) },
            logDir,
            `http://127.0.0.1:${metricsPort}/healthz`,
          ),
        );
      }

      let stopping = false;
      const stopAll = async (code: number) => {
        if (stopping) return;
        stopping = true;
        say('stopping…');
        for (const c of children) if (!c.exited) c.process.kill('SIGTERM');
        const deadline = Date.now() + 30_000;
        while (children.some((c) => !c.exited) && Date.now() < deadline) await sleep(100);
        for (const c of children) if (!c.exited) c.process.kill('SIGKILL');
        if (startedStack) await stackDown(config, say);
        process.exit(code);
      };
      process.on('SIGINT', () => void stopAll(0));
      process.on('SIGTERM', () => void stopAll(0));
      for (const c of children) {
        c.process.once('exit', (code) => {
          if (!stopping) {
            say(`${c.name} exited unexpectedly (code ${code}); see ${c.logFile}`);
            void stopAll(1);
          }
        });
      }
      try {
        await Promise.all(children.map((c) => waitHealthy(c, 120_000)));
      } catch (error) {
        say(String(error));
        await stopAll(1);
        return;
      }
      if (options.demo)
        say(`demo pools: ${await loadDemoPools(config)} defined (3 zones x 7 days x 6 slots)`);

      const url = `http://${config.httpHost}:${config.httpPort}`;
      say(`\nCapacity service is up: ${url}  (logs: ${logDir}/service-*.log)\n`);
      say(
        `  curl -s -X POST ${url}/v1/availability -H 'content-type: application/json' -d '{"zone":"north","units":2}'`,
      );
      say(
        `  curl -s -X POST ${url}/v1/reservations -H 'content-type: application/json' -H 'Idempotency-Key: order-1' -d '{"poolId":"<poolId from availability>","units":2}'`,
      );
      say(`  curl -s -X DELETE ${url}/v1/reservations/<reservationId>`);
      say(`  curl -s ${url}/openapi.json`);
      say('\nCtrl-C stops everything.');
    });
}
