// The local stack from a checkout other users cannot enter (a clone under /root, a `mktemp -d` folder, mode
// 0700): `capacity stack up` starts Kafka, the registry and PostgreSQL on ports of its own, PostgreSQL
// accepts the `capacity` role, and `down` stops what `up` started. As root the server runs as the
// `postgres` user, which cannot enter the folder: its cluster lives in a 0700 folder of that user's own,
// linked from <stack>/data/postgres. Not as root, the server runs as this user and the cluster stays put.
import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { STACK_PG } from '../../src/devstack';
import { freePort } from '../support/serviceProcess';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../bin/capacity.js');
const asRoot = process.getuid?.() === 0;
// What `mktemp -d` makes: a folder only its owner may enter, with the clone (and its .stack) inside.
const privateDir = mkdtempSync(join(tmpdir(), 'capacity-private-'));
const stackDir = join(privateDir, 'clone', '.stack');
const clusterLink = join(stackDir, 'data', 'postgres');
let env: NodeJS.ProcessEnv = {};
let postgresPort = 0;

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

beforeAll(async () => {
  const [kafka, controller, registry, postgres] = await distinctFreePorts(4);
  postgresPort = postgres as number;
  env = {
    ...process.env,
    CAPACITY_STACK_DIR: stackDir,
    CAPACITY_BROKERS: `127.0.0.1:${kafka}`,
    CAPACITY_STACK_CONTROLLER_PORT: String(controller),
    CAPACITY_REGISTRY_URL: `http://127.0.0.1:${registry}/apis/ccompat/v7`,
    CAPACITY_STACK_POSTGRES_PORT: String(postgres),
  };
  // Reuse the distributions the main stack downloaded (if it did); data, logs and pids stay here.
  mkdirSync(stackDir, { recursive: true });
  const shared = resolve(loadConfig().stackDir);
  for (const dir of ['kafka', 'apicurio']) {
    if (existsSync(join(shared, dir))) symlinkSync(join(shared, dir), join(stackDir, dir));
  }
});

afterAll(async () => {
  await run('node', [cli, 'stack', 'down'], { env }).catch(() => undefined);
  // The relocated cluster is outside the private folder: remove it too, and only it.
  if (existsSync(clusterLink) && lstatSync(clusterLink).isSymbolicLink())
    rmSync(realpathSync(clusterLink), { recursive: true, force: true });
  rmSync(privateDir, { recursive: true, force: true });
});

const capacity = (...args: string[]) => run('node', [cli, ...args], { env, timeout: 240_000 });
const processExists = (pid: number) =>
  existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0;
const uidOf = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

test('up from a folder other users cannot enter: PostgreSQL accepts the capacity role; down stops it', async () => {
  expect(statSync(privateDir).mode & 0o777).toBe(0o700);

  const up = await capacity('stack', 'up');
  expect(up.stdout).not.toMatch(/PostgreSQL not started/);
  const started = new RegExp(`started PostgreSQL \\(pid (\\d+)\\) on 127\\.0\\.0\\.1:${postgresPort}`).exec(
    up.stdout,
  );
  expect(started).not.toBeNull();
  const pid = Number(started?.[1]);
  expect(readFileSync(join(stackDir, 'run', 'postgres.pid'), 'utf8').trim()).toBe(String(pid));

  const client = new Client({
    host: '127.0.0.1',
    port: postgresPort,
    user: STACK_PG.user,
    password: STACK_PG.password,
    database: STACK_PG.database,
  });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT current_user AS who, current_database() AS db');
    expect(rows).toEqual([{ who: STACK_PG.user, db: STACK_PG.database }]);
  } finally {
    await client.end();
  }

  if (asRoot) {
    // The server runs as `postgres`, from a 0700 folder it owns outside the private folder.
    const postgresUid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    expect(uidOf(pid)).toBe(postgresUid);
    expect(lstatSync(clusterLink).isSymbolicLink()).toBe(true);
    const cluster = realpathSync(clusterLink);
    expect(cluster.startsWith(`${privateDir}/`)).toBe(false);
    const clusterStat = statSync(cluster);
    expect(clusterStat.uid).toBe(postgresUid);
    expect(clusterStat.mode & 0o777).toBe(0o700);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(cluster);
  } else {
    expect(uidOf(pid)).toBe(process.getuid?.());
    expect(existsSync(join(clusterLink, 'PG_VERSION'))).toBe(true);
  }

  const status = await capacity('stack', 'status');
  expect(status.stdout).toMatch(
    new RegExp(`postgres\\s+up\\s+127\\.0\\.0\\.1:${postgresPort}\\s+pid ${pid}`),
  );

  const down = await capacity('stack', 'down');
  expect(down.stdout).toMatch(/postgres: (stopped|killed)/);
  expect(processExists(pid)).toBe(false);
  expect(existsSync(join(stackDir, 'run', 'postgres.pid'))).toBe(false);
  const after = await capacity('stack', 'status').catch((e: { stdout: string; code: number }) => e);
  expect(after.stdout).toMatch(/postgres\s+down/);
});
