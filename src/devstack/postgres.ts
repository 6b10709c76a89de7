// PostgreSQL for the local stack (the warehouse connector's tests): Debian's server binaries, installed
// with apt-get when missing, a private cluster (see postgresLocation.ts for where) on a loopback port, run
// as an unprivileged user (postgres refuses root) and tracked by a pid file like Kafka and the registry.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config';
import { UnavailableError } from '../errors';
import { stackLayout } from './layout';
import { postgresDataDir, preparePostgresDataDir } from './postgresLocation';
import { managedProcess, runningPid, startProcess, stopProcess, type ManagedProcess } from './processes';
import { asServerUser, serverUser } from './serverUser';

const PG_ROOT = '/usr/lib/postgresql';
/** The role and database docker-compose.yml creates too: postgres://capacity:capacity@127.0.0.1:<port>/warehouse */
export const STACK_PG = { user: 'capacity', password: 'capacity', database: 'warehouse' } as const;

export interface PostgresStack {
  readonly proc: ManagedProcess;
  readonly dataDir: string;
  readonly port: number;
  /** URL of the stack's warehouse database; other databases on the same server differ only in the path. */
  readonly url: string;
}

export function postgresStack(config: Config): PostgresStack {
  const layout = stackLayout(config);
  const dataDir = postgresDataDir(layout.root);
  // From the config, not process.env: a caller that builds its config from its own environment (a test,
  // a benchmark) gets the PostgreSQL of that stack.
  const port = config.stackPostgresPort;
  return {
    proc: managedProcess(layout.run, layout.logs, 'postgres', dataDir),
    dataDir,
    port,
    url: `postgres://${STACK_PG.user}:${STACK_PG.password}@127.0.0.1:${port}/${STACK_PG.database}`,
  };
}

/** The newest installed server's bin directory, or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter(
      (v) => existsSync(join(PG_ROOT, v, 'bin', 'postgres')) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')),
    )
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(PG_ROOT, versions[0] as string, 'bin') : null;
}

/** Installs Debian's postgresql package when no server is there (root only). */
export function ensurePostgresInstalled(say: (line: string) => void): string {
  const existing = postgresBinDir();
  if (existing) return existing;
  if (process.getuid?.() !== 0) {
    throw new UnavailableError(
      'PostgreSQL server not installed: run `apt-get install -y postgresql` as root',
    );
  }
  say('installing PostgreSQL (apt-get install postgresql)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'postgresql']]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (result.status !== 0)
      throw new UnavailableError(
        `apt-get ${args.join(' ')} failed: ${(result.stderr || String(result.error)).slice(-2000)}`,
      );
  }
  const bin = postgresBinDir();
  if (!bin) throw new UnavailableError('apt-get installed postgresql but no server binaries were found');
  return bin;
}

/** Creates the cluster unless there is one (in a folder preparePostgresDataDir picks). */
function initCluster(pg: PostgresStack, bin: string, stackRoot: string): void {
  if (existsSync(join(pg.dataDir, 'PG_VERSION'))) return;
  const user = serverUser();
  const dataDir = preparePostgresDataDir(stackRoot, user);
  // Loopback only and trust auth: a throwaway cluster for development and tests, like the Kafka stack.
  const { command, args } = asServerUser(user, join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  // In the cluster folder: the server user may not be able to enter this process's working directory.
  const result = spawnSync(command, args, { cwd: dataDir, encoding: 'utf8' });
  if (result.status !== 0)
    throw new UnavailableError(
      `initdb failed: ${(result.stderr || result.stdout || String(result.error)).slice(-2000)}`,
    );
}

async function query(port: number, database: string, user: string, sql: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, database, user, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresHealthy(port: number): Promise<boolean> {
  try {
    await query(port, 'postgres', 'postgres', 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** Creates the `capacity` role and `warehouse` database once (the role may create test databases). */
async function bootstrap(pg: PostgresStack): Promise<void> {
  const { user, password, database } = STACK_PG;
  await query(
    pg.port,
    'postgres',
    'postgres',
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN ` +
      `CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'; END IF; END $$`,
  );
  const client = new Client({ host: '127.0.0.1', port: pg.port, database: 'postgres', user: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${database} OWNER ${user}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts the cluster unless something already answers on the port; returns whether it started it. */
export async function postgresUp(config: Config, say: (line: string) => void): Promise<boolean> {
  let pg = postgresStack(config);
  if (await postgresHealthy(pg.port)) {
    await bootstrap(pg);
    return false;
  }
  const bin = ensurePostgresInstalled(say);
  let pid = runningPid(pg.proc);
  if (pid === null) {
    initCluster(pg, bin, stackLayout(config).root);
    pg = postgresStack(config); // initdb may have made <stack>/data/postgres a link: the marker follows it
    const user = serverUser();
    if (user && statSync(pg.dataDir).uid !== user.uid) chownSync(pg.dataDir, user.uid, user.gid);
    const { command, args } = asServerUser(user, join(bin, 'postgres'), [
      '-D',
      pg.dataDir,
      '-p',
      String(pg.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'fsync=on',
    ]);
    pid = startProcess(pg.proc, command, args, pg.dataDir);
    say(`started PostgreSQL (pid ${pid}) on 127.0.0.1:${pg.port}`);
  }
  const deadline = Date.now() + 60_000;
  while (!(await postgresHealthy(pg.port))) {
    // The pid started (or found) above, not runningPid: a process that is starting may briefly show
    // another command line, and that must not count as an exit.
    if (!isAlive(pid))
      throw new UnavailableError(`PostgreSQL exited during start-up; see ${pg.proc.logFile}`);
    if (Date.now() > deadline)
      throw new UnavailableError(`PostgreSQL did not answer within 60s; see ${pg.proc.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await bootstrap(pg);
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fast shutdown (SIGINT: disconnects clients, checkpoints), then the common SIGTERM/SIGKILL path. */
export async function postgresDown(config: Config): Promise<'not-running' | 'stopped' | 'killed'> {
  const pg = postgresStack(config);
  const pid = runningPid(pg.proc);
  if (pid !== null) process.kill(pid, 'SIGINT');
  return stopProcess(pg.proc);
}
