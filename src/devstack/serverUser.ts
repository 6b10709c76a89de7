// PostgreSQL refuses to run as root: root runs initdb and the server as the `postgres` user (which the
// Debian package creates), anyone else runs them as itself.
import { spawnSync } from 'node:child_process';
import { UnavailableError } from '../errors';

export interface ServerUser {
  readonly uid: number;
  readonly gid: number;
  /** Home folder from the password database (/var/lib/postgresql on Debian). */
  readonly home: string;
}

const SERVER_USER = 'postgres';

/** The user the server runs as when this process is root; null when it runs as this process's user. */
export function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  const entry = spawnSync('getent', ['passwd', SERVER_USER], { encoding: 'utf8' }).stdout?.trim() ?? '';
  // name:password:uid:gid:gecos:home:shell
  const fields = entry.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  const home = fields[5] ?? '';
  if (fields.length < 7 || !Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || home === '')
    throw new UnavailableError(`no \`${SERVER_USER}\` user to run PostgreSQL as`);
  return { uid, gid, home };
}

/** Root runs the command as the server user (setpriv execs, so a pid file holds the command's pid). */
export function asServerUser(
  user: ServerUser | null,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  if (user === null) return { command, args: [...args] };
  return {
    command: 'setpriv',
    args: [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', command, ...args],
  };
}

/**
 * Whether the server user can enter `dir` (search permission on it and on every folder above it): a clone
 * under /root or in a `mktemp -d` folder (mode 0700) is out of its reach.
 */
export function serverUserCanEnter(user: ServerUser | null, dir: string): boolean {
  const { command, args } = asServerUser(user, 'test', ['-x', dir]);
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}
