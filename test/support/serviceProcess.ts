// Service processes started as a user starts them (`node bin/capacity.js <command>`), with their own
// environment, log file and metrics port. Tests end only processes they started, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../bin/capacity.js');
export const scratchDir = (prefix: string) => mkdtempSync(join(tmpdir(), `capacity-${prefix}-`));

/**
 * A free loopback port for a service to listen on, chosen below the OS's ephemeral range (32768-60999 on
 * Linux): a port the OS hands out (listen on 0) can be taken again, between this check and the service's
 * listen, by any outgoing connection, e.g. a Kafka client's, and the service then exits with PORT_IN_USE.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 12_000 + Math.floor(Math.random() * 20_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free loopback port found below the ephemeral range');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TaskHealth {
  partition: number;
  state: string;
  nextOffset: number | null;
}

/**
 * Where a process runs: in a network namespace (`ip netns exec` execs node, so the pid is node's own),
 * with its health port on `host` instead of loopback.
 */
export interface Placement {
  readonly netns: string;
  readonly host: string;
}

export class ServiceProcess {
  private exited: Promise<number | null>;
  /** Exit code once it exited; -1 when a signal ended it (`exitSignal` says which). */
  exitCode: number | null | undefined = undefined;
  exitSignal: NodeJS.Signals | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
    readonly metricsPort: number,
    readonly host: string,
  ) {
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        this.exitSignal = signal;
        this.exitCode = code ?? (signal ? -1 : null);
        resolveExit(this.exitCode);
      }),
    );
  }

  static async start(
    command: string,
    name: string,
    env: Record<string, string>,
    placement?: Placement,
  ): Promise<ServiceProcess> {
    const logFile = join(scratchDir(name), `${name}.log`);
    const log = createWriteStream(logFile);
    const metricsPort = Number(env.CAPACITY_METRICS_PORT ?? (await freePort()));
    // CAPACITY_TEST_NODE_ARGS adds node flags to spawned services, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.CAPACITY_TEST_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
    const node = [process.execPath, ...nodeArgs, CLI, command];
    const [file, ...args] = placement ? ['ip', 'netns', 'exec', placement.netns, ...node] : node;
    const host = placement?.host ?? '127.0.0.1';
    const child = spawn(file as string, args, {
      env: {
        ...process.env,
        ...env,
        CAPACITY_METRICS_PORT: String(metricsPort),
        ...(placement ? { CAPACITY_HTTP_HOST: host } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new ServiceProcess(name, child, logFile, metricsPort, host);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async health(): Promise<{ status: number; body: { healthy: boolean; tasks: TaskHealth[] } } | null> {
    try {
      const response = await fetch(`http://${this.host}:${this.metricsPort}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      return {
        status: response.status,
        body: (await response.json()) as { healthy: boolean; tasks: TaskHealth[] },
      };
    } catch {
      return null;
    }
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://${this.host}:${this.metricsPort}/metrics`)).text();
  }

  /** Waits until /healthz answers healthy and `predicate` holds for its tasks. */
  async waitUntil(
    predicate: (tasks: TaskHealth[]) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<TaskHealth[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined)
        throw new Error(
          `${this.name} exited (${this.exitCode}) while waiting for ${what}:\n${this.log().slice(-3000)}`,
        );
      const health = await this.health();
      if (health?.body.healthy && predicate(health.body.tasks)) return health.body.tasks;
      await sleep(200);
    }
    throw new Error(`${this.name}: timed out waiting for ${what}:\n${this.log().slice(-3000)}`);
  }

  /** Waits until it owns at least one task and all its tasks are ready. */
  waitReady(timeoutMs?: number): Promise<TaskHealth[]> {
    return this.waitUntil(
      (tasks) => tasks.length > 0 && tasks.every((t) => t.state === 'ready'),
      'ready tasks',
      timeoutMs,
    );
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitCode === undefined) process.kill(this.pid, signal);
  }

  /** SIGTERM and wait for the exit code. */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    return this.waitForExit(timeoutMs);
  }

  async waitForExit(timeoutMs = 60_000): Promise<number | null> {
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}
