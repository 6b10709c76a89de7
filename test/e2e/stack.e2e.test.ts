// The stack script as a user runs it: a second stack on other ports and its own folder (reusing the
// downloaded distributions), `up` twice, `status`, then `down` leaving no process behind.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../bin/capacity.js');
const stackDir = mkdtempSync(join(tmpdir(), 'capacity-stack-'));
const env = {
  ...process.env,
  CAPACITY_STACK_DIR: stackDir,
  CAPACITY_BROKERS: '127.0.0.1:19192',
  CAPACITY_STACK_CONTROLLER_PORT: '19193',
  CAPACITY_REGISTRY_URL: 'http://127.0.0.1:18181/apis/ccompat/v7',
};

beforeAll(() => {
  // Reuse the distributions the main stack downloaded; data, logs and pids stay separate.
  const shared = resolve(loadConfig().stackDir);
  for (const dir of ['kafka', 'apicurio']) {
    if (existsSync(join(shared, dir))) symlinkSync(join(shared, dir), join(stackDir, dir));
  }
  mkdirSync(join(stackDir, 'run'), { recursive: true });
});

afterAll(async () => {
  await run('node', [cli, 'stack', 'down'], { env }).catch(() => undefined);
  rmSync(stackDir, { recursive: true, force: true });
});

const capacity = (...args: string[]) => run('node', [cli, ...args], { env, timeout: 240_000 });
const pidOf = (name: string) => Number(readFileSync(join(stackDir, 'run', `${name}.pid`), 'utf8'));
const processExists = (pid: number) =>
  existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0;

test('up starts both, a second up is a no-op, down leaves no process behind', async () => {
  const first = await capacity('stack', 'up');
  expect(first.stdout).toMatch(/started Kafka/);
  expect(first.stdout).toMatch(/started Apicurio Registry/);
  const kafkaPid = pidOf('kafka');
  const registryPid = pidOf('registry');
  expect(processExists(kafkaPid)).toBe(true);
  expect(processExists(registryPid)).toBe(true);

  const second = await capacity('stack', 'up');
  expect(second.stdout).toMatch(/stack already up; nothing started/);
  expect([pidOf('kafka'), pidOf('registry')]).toEqual([kafkaPid, registryPid]);

  const status = await capacity('stack', 'status');
  expect(status.stdout).toMatch(new RegExp(`kafka\\s+up\\s+127\\.0\\.0\\.1:19192\\s+pid ${kafkaPid}`));
  expect(status.stdout).toMatch(
    new RegExp(`registry\\s+up\\s+http://127\\.0\\.0\\.1:18181\\S*\\s+pid ${registryPid}`),
  );

  const down = await capacity('stack', 'down');
  expect(down.stdout).toMatch(/registry: stopped/);
  expect(down.stdout).toMatch(/kafka: (stopped|killed)/);
  expect(processExists(kafkaPid)).toBe(false);
  expect(processExists(registryPid)).toBe(false);
  expect(existsSync(join(stackDir, 'run', 'kafka.pid'))).toBe(false);

  const after = await capacity('stack', 'status').catch((e: { stdout: string; code: number }) => e);
  expect(after.stdout).toMatch(/kafka\s+down/);
  expect((after as { code?: number }).code).toBe(3);
});
