// How `capacity start` restarts a child: exponential backoff that resets once the child has been healthy
// for a while, and the words it uses to say why a child stopped. Pure, so unit tests cover it exactly.

export interface BackoffOptions {
  /** Delay before the first restart. */
  readonly initialMs: number;
  /** Delays double up to this. */
  readonly maxMs: number;
  /** A child healthy at least this long before it exits starts again from `initialMs`. */
  readonly resetAfterHealthyMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  resetAfterHealthyMs: 60_000,
};

/** Restart delays for one child: 0.5 s, 1 s, 2 s, … up to 30 s; back to 0.5 s after a healthy run. */
export class RestartBackoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Restarts since the last reset. */
  get restarts(): number {
    return this.failures;
  }

  /** The delay before the next start, given how long the child that just exited had been healthy. */
  next(healthyForMs: number): number {
    if (healthyForMs >= this.options.resetAfterHealthyMs) this.failures = 0;
    const delay = Math.min(this.options.initialMs * 2 ** this.failures, this.options.maxMs);
    this.failures++;
    return delay;
  }
}

/** "exit code 1", "killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return code === null ? 'exited' : `exit code ${code}`;
}

/** "0.5 s", "12 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * One readable line from a child's output line: pino JSON lines become "LEVEL msg: err", other lines
 * (e.g. `capacity: PORT_IN_USE: …` on stderr) stay as they are; long lines are cut.
 */
export function summarizeLogLine(line: string, maxChars = 300): string {
  let text = line.trim();
  if (text.startsWith('{')) {
    try {
      const entry = JSON.parse(text) as { level?: unknown; msg?: unknown; err?: unknown; error?: unknown };
      const level = typeof entry.level === 'number' ? (LEVELS[entry.level] ?? String(entry.level)) : '';
      const error = entry.err ?? entry.error;
      const detail =
        error === undefined ? '' : `: ${typeof error === 'string' ? error : JSON.stringify(error)}`;
      text = `${level} ${String(entry.msg ?? '')}${detail}`.trim();
    } catch {
      // not JSON after all: keep the line
    }
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keeps the last few lines of a child's output in memory, so an exit can say what the child said last. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep = 5) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim().length > 0) this.lines.push(line);
    if (this.lines.length > this.keep) this.lines = this.lines.slice(-this.keep);
  }

  /** The last lines (up to `count`), oldest first, including an unterminated last line. */
  last(count = this.keep): string[] {
    const all = this.partial.trim().length > 0 ? [...this.lines, this.partial] : this.lines;
    return all.slice(-count);
  }

  clear(): void {
    this.lines = [];
    this.partial = '';
  }
}
