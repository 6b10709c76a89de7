// The supervisor with real child processes (a small stand-in service, test/fixtures/supervisor/child.js):
// restarts with backoff and a line saying why, and a bounded stop.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { portInUse, Supervisor, type ChildSpec } from '../../../src/cli';

const CHILD = resolve(__dirname, '../../fixtures/supervisor/child.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (!(await portInUse('127.0.0.1', port))) return port;
  }
}

async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function supervise(
  specs: ChildSpec[],
  backoff = { initialMs: 100, maxMs: 400, resetAfterHealthyMs: 60_000 },
) {
  const lines: string[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'capacity-supervisor-'));
  const supervisor = new Supervisor(specs, { cli: CHILD, logDir, say: (l) => lines.push(l), backoff });
  return { supervisor, lines, logDir };
}

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a killed child is restarted with a line naming it, the signal, the delay and its log', async () => {
  const port = await freePort();
  const { supervisor, lines, logDir } = supervise([
    { name: 'svc', command: 'serve', env: { PORT: String(port) }, healthUrl: `http://127.0.0.1:${port}/` },
  ]);
  supervisor.start();
  await supervisor.allHealthy();
  const first = supervisor.status()[0]!.pid!;
  process.kill(first, 'SIGKILL');
  await eventually('a new healthy pid', () => {
    const [svc] = supervisor.status();
    return svc!.healthy && svc!.pid !== first;
  });
  expect(lines).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^svc \\(pid ${first}\\) stopped unexpectedly \\(killed by SIGKILL, after .* s\\); restarting in 0\\.1 s \\(restart 1\\); log ${logDir}/service-svc\\.log$`,
      ),
    ),
  );
  const second = supervisor.status()[0]!.pid;
  await supervisor.stop(5000);
  expect(alive(second)).toBe(false);
  expect(supervisor.status()[0]!.pid).toBeUndefined();
});

test('a child failing at start-up is retried with growing delays, says why, and leaves the others running', async () => {
  const port = await freePort();
  const { supervisor, lines } = supervise([
    { name: 'broken', command: 'fail', env: {}, healthUrl: 'http://127.0.0.1:1/' },
    { name: 'fine', command: 'serve', env: { PORT: String(port) }, healthUrl: `http://127.0.0.1:${port}/` },
  ]);
  supervisor.start();
  await eventually('four failures', () => lines.filter((l) => l.startsWith('broken (pid')).length >= 4);
  const failures = lines.filter((l) => l.startsWith('broken (pid'));
  expect(failures.slice(0, 4).map((l) => /restarting in (\S+ s)/.exec(l)?.[1])).toEqual([
    '0.1 s',
    '0.2 s',
    '0.4 s',
    '0.4 s',
  ]);
  expect(failures[0]).toMatch(/failed during start-up \(exit code 3, /);
  expect(lines).toContain('  | fixture: cannot start: nothing here');
  const fine = supervisor.status()[1]!;
  expect(fine.healthy).toBe(true);
  await supervisor.stop(5000);
  expect(alive(fine.pid)).toBe(false);
});

test('stop sends SIGKILL to a child still running after the grace period', async () => {
  const port = await freePort();
  const { supervisor, lines } = supervise([
    {
      name: 'stubborn',
      command: 'stubborn',
      env: { PORT: String(port) },
      healthUrl: `http://127.0.0.1:${port}/`,
    },
  ]);
  supervisor.start();
  await supervisor.allHealthy();
  const pid = supervisor.status()[0]!.pid;
  const started = Date.now();
  await supervisor.stop(1000);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(lines).toContain('still running after 1 s: stubborn; sending SIGKILL');
  expect(alive(pid)).toBe(false);
  // Nothing is restarted once stopping.
  await sleep(300);
  expect(lines.filter((l) => l.includes('started (pid')).length).toBe(1);
});
