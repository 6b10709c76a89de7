// `capacity start` run as a user runs it (`node bin/capacity.js start`), in its own topics, group, state,
// ports and log directory, on the stack globalSetup brought up (so its `stack up` is a no-op and it never
// stops that stack). Tests end only the processes they started, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { portInUse } from '../../src/cli';
import { uniqueName } from './names';
import { scratchDir } from './serviceProcess';

const CLI = resolve(__dirname, '../../bin/capacity.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` consecutive free loopback ports (capacity start derives processor/connector ports this way). */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    const taken = await Promise.all(
      Array.from({ length: count }, (_, i) => portInUse('127.0.0.1', first + i)),
    );
    if (!taken.some(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** The environment of one isolated `capacity start`: 3 consecutive metrics ports from `metricsPort`. */
export async function startEnv(): Promise<Record<string, string>> {
  const httpPort = await freePortRange(1);
  let metricsPort = await freePortRange(3);
  while (metricsPort <= httpPort && httpPort < metricsPort + 3) metricsPort = await freePortRange(3);
  return {
    CAPACITY_TOPIC_PREFIX: uniqueName('sup'),
    CAPACITY_PARTITIONS: '3',
    CAPACITY_APPLICATION_ID: uniqueName('app'),
    CAPACITY_CONNECTOR_GROUP: uniqueName('conn'),
    CAPACITY_STATE_DIR: scratchDir('start-state'),
    CAPACITY_WAREHOUSE_DUCKDB_FILE: join(scratchDir('start-warehouse'), 'warehouse.duckdb'),
    CAPACITY_HTTP_PORT: String(httpPort),
    CAPACITY_METRICS_PORT: String(metricsPort),
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_REQUEST_TIMEOUT_MS: '30000',
    CAPACITY_LOG_LEVEL: 'info',
  };
}

export class CapacityStart {
  readonly lines: string[] = [];
  exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<number | null>;
  private partial = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly logDir: string,
  ) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) =>
      this.lines.push(...text.split('\n').map((l) => `stderr: ${l}`)),
    );
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolveExit(this.exitCode);
      }),
    );
  }

  /** `node bin/capacity.js start --no-demo` with `env` over this process's environment. */
  static run(env: Record<string, string>, args: string[] = []): CapacityStart {
    const logDir = scratchDir('start-logs');
    const full: NodeJS.ProcessEnv = { ...process.env, ...env };
    // Only what this test sets: no shared warehouse, no instance id from the caller's shell.
    const callerOnly = ['CAPACITY_WAREHOUSE_URL', 'WAREHOUSE_URL', 'CAPACITY_INSTANCE_ID'];
    const accessSettings = [
      'CAPACITY_AUTH',
      'CAPACITY_API_KEYS',
      'CAPACITY_API_KEYS_FILE',
      'CAPACITY_JWT_JWKS_URL',
    ];
    for (const name of [...callerOnly, ...accessSettings]) if (!(name in env)) delete full[name];
    const child = spawn('node', [CLI, 'start', '--no-demo', '--log-dir', logDir, ...args], {
      env: full,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new CapacityStart(child, logDir);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  output(): string {
    return this.lines.join('\n');
  }

  childLog(name: string): string {
    try {
      return readFileSync(join(this.logDir, `service-${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** Waits for a line matching `pattern` (counting only lines after the first `after`) and returns its match. */
  async waitForLine(pattern: RegExp, timeoutMs = 120_000, after = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines.slice(after)) {
        const match = pattern.exec(line);
        if (match) return match;
      }
      if (this.exitCode !== undefined)
        throw new Error(`capacity start exited (${this.exitCode}) before ${pattern}:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`no line ${pattern} in:\n${this.output()}`);
      await sleep(200);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitCode === undefined) process.kill(this.pid, signal);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  async stop(timeoutMs = 90_000): Promise<number | null> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The parent pid and command line of a running process (Linux /proc), or null once it is gone. */
export function processInfo(pid: number): { ppid: number; cmdline: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { ppid, cmdline };
  } catch {
    return null;
  }
}

/** Whether a pid is still a live (non-zombie) process. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
