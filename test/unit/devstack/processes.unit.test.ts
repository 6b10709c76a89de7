// The stack's pid files: a process is recognised by the marker on its command line, also while it is
// still starting and shows another command line for a moment (setpriv before it execs PostgreSQL); a pid
// that belongs to another program is never taken for ours.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managedProcess, runningPid } from '../../../src/devstack';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function procWithPid(pid: number, marker: string) {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-pid-'));
  const proc = managedProcess(dir, dir, 'p', marker);
  writeFileSync(proc.pidFile, `${pid}\n`);
  return proc;
}

test('a process that gets its marker only after it execs is still recognised as running', () => {
  const marker = `marker-${process.pid}-${Date.now()}`;
  // Starts as `sh -c …` (no marker on its command line), then execs `sh -c "sleep 5" <marker>` 50 ms later.
  const child = spawn('sh', ['-c', 'sleep 0.05; exec sh -c "sleep 5" "$MARK"'], {
    env: { ...process.env, MARK: marker },
  });
  children.push(child);
  expect(runningPid(procWithPid(child.pid as number, marker))).toBe(child.pid);
});

test('a pid whose command line never carries the marker is not ours', () => {
  const child = spawn('sleep', ['5']);
  children.push(child);
  expect(runningPid(procWithPid(child.pid as number, 'some-other-stack'))).toBeNull();
});
