// One child of `capacity start` (a processor, the gateway or the connector): spawned as `node
// bin/capacity.js <command>` with a fixed environment, its output appended to its log file, its health
// polled until it answers, and restarted with backoff whenever it exits without being asked to.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { EXIT_PORT_IN_USE } from './exitCodes';
import {
  DEFAULT_BACKOFF,
  describeExit,
  formatDuration,
  OutputTail,
  RestartBackoff,
  summarizeLogLine,
  type BackoffOptions,
} from './restartPolicy';

export interface ChildSpec {
  /** e.g. "processor-1"; also names the log file `service-<name>.log`. */
  readonly name: string;
  /** The `capacity` subcommand. */
  readonly command: string;
  /** Added to the supervisor's environment; the same on every restart. */
  readonly env: Readonly<Record<string, string>>;
  /** Answers 2xx once the child is up. */
  readonly healthUrl: string;
  /** Printed when the child exits because a port it needs is taken (which setting moves it). */
  readonly portHint?: string;
}

export interface ChildOptions {
  /** `bin/capacity.js`. */
  readonly cli: string;
  readonly logDir: string;
  readonly say: (line: string) => void;
  readonly backoff?: BackoffOptions;
  /** Say so once when a child is not healthy this long after it was started. */
  readonly slowStartMs?: number;
  /** Called each time the child turns healthy after a (re)start. */
  readonly onHealthy?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export class SupervisedChild {
  readonly logFile: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly backoff: RestartBackoff;
  private readonly log: WriteStream;
  private readonly stderrTail = new OutputTail(3);
  private readonly stdoutTail = new OutputTail(3);
  private restartTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private healthyAt: number | null = null;
  private stopping = false;
  /** Healthy at least once since the supervisor started it. */
  everHealthy = false;

  constructor(
    readonly spec: ChildSpec,
    private readonly options: ChildOptions,
  ) {
    this.logFile = join(options.logDir, `service-${spec.name}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.backoff = new RestartBackoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The running child's pid (the node process itself, no wrapper); undefined between restarts. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get healthy(): boolean {
    return this.child !== null && this.healthyAt !== null;
  }

  start(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    this.stderrTail.clear();
    this.stdoutTail.clear();
    this.startedAt = Date.now();
    this.healthyAt = null;
    const child = spawn(process.execPath, [this.options.cli, this.spec.command], {
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only `capacity start`, which then stops
      // each child with one SIGTERM (a second signal would make a child exit without a clean shutdown).
      detached: true,
    });
    this.child = child;
    for (const [stream, tail] of [
      [child.stdout, this.stdoutTail],
      [child.stderr, this.stderrTail],
    ] as const) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        this.log.write(text);
        tail.push(text);
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.onExit(child, code, signal);
        resolve();
      });
    });
    child.once('error', (error) => this.log.write(`capacity start: ${this.name}: ${error.message}\n`));
    this.options.say(`${this.name}: started (pid ${child.pid ?? '?'}); log ${this.logFile}`);
    void this.watchHealth(child);
  }

  /** Stops restarting it and sends SIGTERM; resolves once it has exited. */
  terminate(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.child?.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL to the running child (after `terminate`, when it takes too long). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  closeLog(): Promise<void> {
    return new Promise((resolve) => this.log.end(() => resolve()));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) return;
    const now = Date.now();
    const healthyForMs = this.healthyAt === null ? 0 : now - this.healthyAt;
    const delay = this.backoff.next(healthyForMs);
    const what =
      this.healthyAt === null
        ? `failed during start-up (${describeExit(code, signal)}, ${formatDuration(now - this.startedAt)} after start)`
        : `stopped unexpectedly (${describeExit(code, signal)}, after ${formatDuration(now - this.startedAt)})`;
    const say = this.options.say;
    say(
      `${this.name} (pid ${child.pid ?? '?'}) ${what}; restarting in ${formatDuration(delay)} ` +
        `(restart ${this.backoff.restarts}); log ${this.logFile}`,
    );
    this.sayLastLines();
    if (code === EXIT_PORT_IN_USE && this.spec.portHint) say(`  ${this.spec.portHint}`);
    this.restartTimer = setTimeout(() => this.start(), delay);
  }

  private sayLastLines(): void {
    const lines = this.stderrTail.last().length > 0 ? this.stderrTail.last() : this.stdoutTail.last();
    for (const line of lines) this.options.say(`  | ${summarizeLogLine(line)}`);
  }

  private async watchHealth(child: ChildProcess): Promise<void> {
    const slowStartMs = this.options.slowStartMs ?? 60_000;
    let warned = false;
    while (this.child === child && !this.stopping) {
      if (await answers(this.spec.healthUrl)) {
        if (this.child !== child || this.stopping) return;
        this.healthyAt = Date.now();
        this.everHealthy = true;
        this.options.say(
          `${this.name}: healthy (pid ${child.pid ?? '?'}, ${formatDuration(this.healthyAt - this.startedAt)} after start)`,
        );
        this.options.onHealthy?.();
        return;
      }
      if (!warned && Date.now() - this.startedAt > slowStartMs) {
        warned = true;
        this.options.say(
          `${this.name} (pid ${child.pid ?? '?'}): not healthy ${formatDuration(slowStartMs)} after start, ` +
            `still waiting (${this.spec.healthUrl}); log ${this.logFile}`,
        );
        this.sayLastLines();
      }
      await sleep(500);
    }
  }
}
