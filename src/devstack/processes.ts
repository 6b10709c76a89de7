// Background processes of the local stack, tracked by pid files. A pid is trusted only if the process
// still carries this stack's marker on its command line, so a recycled pid is never signalled.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** A string that appears on the process's command line and nowhere else. */
  readonly marker: string;
}

export function managedProcess(runDir: string, logDir: string, name: string, marker: string): ManagedProcess {
  return { name, pidFile: join(runDir, `${name}.pid`), logFile: join(logDir, `${name}.log`), marker };
}

function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/** Blocks the thread for `ms` (a few milliseconds, in a synchronous check). */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pid of the running process, or null if it is not running (stale pid files are removed). */
export function runningPid(proc: ManagedProcess): number | null {
  if (!existsSync(proc.pidFile)) return null;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  // A process that is starting shows another command line for a moment (setpriv before it execs
  // PostgreSQL, PostgreSQL while it moves its arguments for its process title): look again before
  // deciding that the pid belongs to someone else.
  for (let attempt = 0; Number.isInteger(pid) && pid > 0 && attempt < 10; attempt++) {
    const commandLine = commandLineOf(pid);
    if (commandLine === null) break; // no such process
    if (commandLine.includes(proc.marker)) return pid;
    pauseSync(20);
  }
  rmSync(proc.pidFile, { force: true });
  return null;
}

/** Starts a detached process writing to its log file and records its pid. */
export function startProcess(
  proc: ManagedProcess,
  command: string,
  args: readonly string[],
  cwd: string,
): number {
  mkdirSync(join(proc.pidFile, '..'), { recursive: true });
  mkdirSync(join(proc.logFile, '..'), { recursive: true });
  const log = openSync(proc.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${proc.name} (${command})`);
    child.unref();
    writeFileSync(proc.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) has an empty command line.
    return (commandLineOf(pid) ?? '').length > 0;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to graceMs for a clean exit, then SIGKILL. Returns how it ended. */
export async function stopProcess(
  proc: ManagedProcess,
  graceMs = 30_000,
): Promise<'not-running' | 'stopped' | 'killed'> {
  const pid = runningPid(proc);
  if (pid === null) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      rmSync(proc.pidFile, { force: true });
      return 'stopped';
    }
    await sleep(200);
  }
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(100);
  rmSync(proc.pidFile, { force: true });
  return 'killed';
}
