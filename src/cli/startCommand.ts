// `capacity start` (npm start): the whole service on one machine. Local stack (unless brokers are
// external), topics, schemas, two processors, a gateway and the warehouse connector as child processes,
// a demo set of pools. The children are supervised: one that exits is restarted with backoff and the
// reason printed; the stack keeps running; only Ctrl-C or SIGTERM stops everything it started.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CapacityClient } from '../client';
import type { Config } from '../config';
import { connectSerdes, topicNames, topicSpecs } from '../contracts';
import { stackDown, stackUp } from '../devstack';
import { describeError } from '../errors';
import { createKafka, ensureTopicsOrThrow } from '../kafka';
import { createLogger } from '../observability';
import { ensureLocalKeys, type LocalKey } from './localKeys';
import type { CliContext } from './main';
import { describeTakenPort, startPortClaims, takenPorts } from './portCheck';
import type { ChildSpec } from './supervisedChild';
import { Supervisor } from './supervisor';

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/;
const CLI = resolve(__dirname, '..', '..', 'bin', 'capacity.js');

/**
 * With CAPACITY_INSTANCE_ID set, processor i is the static member `<value>-<i>` (a restart within the
 * session timeout keeps its partitions); unset, processors are dynamic members: a restart by the supervisor
 * takes longer than the default session timeout, and a dynamic member hands its partitions over at once
 * on SIGTERM (docs/adr/0008-crash-detection.md).
 */
function processorInstanceId(config: Config, i: number): Record<string, string> {
  return config.instanceId ? { CAPACITY_INSTANCE_ID: `${config.instanceId}-${i}` } : {};
}

/** The connector's metrics port under `capacity start`: the one after the processors'. */
export const connectorMetricsPort = (config: Config, processors: number) => config.metricsPort + processors;

/**
 * The gateway asks the connector for pool history (ADR 12) on its metrics port, over loopback; a
 * CAPACITY_HISTORY_URL of the caller's wins (a connector elsewhere). Without a connector, none.
 */
export function historyEnv(config: Config, processors: number, connector: boolean): Record<string, string> {
  if (config.historyUrl || !connector) return {};
  return { CAPACITY_HISTORY_URL: `http://127.0.0.1:${connectorMetricsPort(config, processors)}` };
}

/** What `capacity start` runs: processor i on CAPACITY_METRICS_PORT+i-1, the gateway, the connector. */
function childSpecs(
  config: Config,
  processors: number,
  connector: boolean,
  gatewayEnv: Record<string, string>,
): ChildSpec[] {
  const claims = startPortClaims(config, processors, connector);
  const hint = (port: number) => {
    const claim = claims.find((c) => c.port === port);
    return claim && describeTakenPort(claim, config.httpHost, processors);
  };
  const specs: ChildSpec[] = [];
  for (let i = 1; i <= processors; i++) {
    const metricsPort = config.metricsPort + i - 1;
    specs.push({
      name: `processor-${i}`,
      command: 'processor',
      env: {
        CAPACITY_STATE_DIR: join(config.stateDir, `processor-${i}`),
        CAPACITY_METRICS_PORT: String(metricsPort),
        ...processorInstanceId(config, i),
      },
      healthUrl: `http://127.0.0.1:${metricsPort}/healthz`,
      portHint: hint(metricsPort),
    });
  }
  specs.push({
    name: 'gateway',
    command: 'gateway',
    env: { ...gatewayEnv, ...historyEnv(config, processors, connector) },
    healthUrl: `http://127.0.0.1:${config.httpPort}/readyz`,
    portHint: hint(config.httpPort),
  });
  if (connector) {
    const metricsPort = connectorMetricsPort(config, processors);
    specs.push({
      name: 'connector',
      command: 'connector',
      env: { CAPACITY_METRICS_PORT: String(metricsPort) },
      healthUrl: `http://127.0.0.1:${metricsPort}/healthz`,
      portHint: hint(metricsPort),
    });
  }
  return specs;
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

/**
 * The gateway's credentials: the configured ones, or a planner and an orders key made for this local run
 * when access control is on and nothing is configured. Returns the keys to print (none when configured).
 */
function localAccess(
  config: Config,
  say: (line: string) => void,
): { env: Record<string, string>; keys: LocalKey[] } {
  const { auth } = config;
  if (!auth.enabled) {
    say('warning: CAPACITY_AUTH=off: the gateway lets anyone call every endpoint');
    return { env: {}, keys: [] };
  }
  if (auth.apiKeys || auth.apiKeysFile || auth.jwt) {
    say(
      'access control: using the configured CAPACITY_API_KEYS / CAPACITY_API_KEYS_FILE / CAPACITY_JWT_* settings',
    );
    return { env: {}, keys: [] };
  }
  const local = ensureLocalKeys(config.stateDir);
  return { env: { CAPACITY_API_KEYS_FILE: local.specFile }, keys: [...local.keys] };
}

function printUsage(url: string, keys: readonly LocalKey[], say: (line: string) => void): void {
  const keyOf = (role: string) => keys.find((k) => k.role === role)?.key;
  const header = (role: string) => {
    const key = keyOf(role);
    return key ? ` -H 'X-API-Key: ${key}'` : '';
  };
  if (keys.length > 0) {
    say('API keys of this local run (kept in the state directory; README, Access control):');
    for (const k of keys) say(`  ${k.role.padEnd(8)} ${k.name.padEnd(14)} ${k.key}`);
    say('');
  }
  const json = ` -H 'content-type: application/json'`;
  say(`  curl -s -X POST ${url}/v1/availability${header('orders')}${json} -d '{"zone":"north","units":2}'`);
  say(
    `  curl -s -X POST ${url}/v1/reservations${header('orders')}${json} -H 'Idempotency-Key: order-1' -d '{"poolId":"<poolId from availability>","units":2}'`,
  );
  say(`  curl -s -X DELETE ${url}/v1/reservations/<reservationId>${header('orders')}`);
  say(`  curl -s -X PATCH ${url}/v1/pools/<poolId>${header('planner')}${json} -d '{"capacity":30}'`);
  say(`  curl -s ${url}/openapi.json`);
  say(`\nPlanner console: ${url}/console  (sign in with a planner key)`);
}

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(
      'run everything locally: stack, topics, schemas, 2 processors, gateway, connector, demo pools; children that exit are restarted with backoff; Ctrl-C stops it all',
    )
    .option('--processors <n>', 'processor processes', '2')
    .option('--no-demo', 'do not load the demo pools')
    .option('--log-dir <dir>', 'where the service-*.log files go (default: <CAPACITY_STACK_DIR>/logs)')
    .action(async (options: { processors: string; demo: boolean; logDir?: string }) => {
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
      const logDir = resolve(options.logDir ?? join(config.stackDir, 'logs'));
      mkdirSync(logDir, { recursive: true });

      const processors = Math.max(1, Number(options.processors) || 2);
      const connector = program.commands.some((c) => c.name() === 'connector');
      // Taken ports are reported, not fatal: the child that needs one fails, says so, and is restarted
      // with backoff until the port is free; everything else runs meanwhile.
      const claims = startPortClaims(config, processors, connector);
      for (const claim of await takenPorts(config.httpHost, claims))
        say(`warning: ${describeTakenPort(claim, config.httpHost, processors)}`);

      const access = localAccess(config, say);
      const supervisor = new Supervisor(childSpecs(config, processors, connector, access.env), {
        cli: CLI,
        logDir,
        say,
      });
      let stopping = false;
      const stopAll = async (signal: NodeJS.Signals) => {
        if (stopping) {
          say(`${signal} again: killing the children now`);
          supervisor.killNow();
          return;
        }
        stopping = true;
        say(`${signal}: stopping…`);
        await supervisor.stop();
        say('all children stopped');
        if (startedStack) await stackDown(config, say);
        process.exit(0);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
        process.on(signal, () => void stopAll(signal));
      // However `capacity start` ends (an error, a closed stdout), no child outlives it: the children are
      // in process groups of their own, so nothing else would stop them.
      process.on('exit', () => supervisor.killNow());
      supervisor.start();
      await supervisor.allHealthy();
      if (stopping) return;
      if (options.demo) {
        try {
          say(`demo pools: ${await loadDemoPools(config)} defined (3 zones x 7 days x 6 slots)`);
        } catch (error) {
          say(`demo pools not defined: ${describeError(error)}`);
        }
      }

      const url = `http://${config.httpHost}:${config.httpPort}`;
      say(`\nCapacity service is up: ${url}  (logs: ${logDir}/service-*.log)\n`);
      printUsage(url, access.keys, say);
      say(
        '\nA child that exits is restarted (with backoff; the reason is printed here). Ctrl-C stops everything.',
      );
    });
}
