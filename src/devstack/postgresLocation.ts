// Where the stack's PostgreSQL cluster lives. Normally in <stack>/data/postgres. When root runs the stack
// from a folder the `postgres` user cannot enter (a clone under /root, a `mktemp -d` folder), the cluster
// lives in a folder of that user's own, <its home>/capacity-stacks/<hash of the stack folder> (mode 0700,
// owned by it; not a world-writable place), and <stack>/data/postgres is a symbolic link to it. Every
// command (up, down, status) follows the link, so the pid file's marker, the data directory and the
// server's command line always name the same folder.
import { createHash } from 'node:crypto';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UnavailableError } from '../errors';
import { serverUserCanEnter, type ServerUser } from './serverUser';

/** <stack>/data/postgres: the cluster folder itself, or a link to it. */
export const postgresLink = (stackRoot: string) => join(stackRoot, 'data', 'postgres');

/** Folder of the server user's own holding the clusters of stacks it cannot reach in place. */
export const relocatedClustersDir = (user: ServerUser) => join(user.home, 'capacity-stacks');

/** The cluster folder of the stack at `stackRoot`, following <stack>/data/postgres when it is a link. */
export function postgresDataDir(stackRoot: string): string {
  const link = postgresLink(stackRoot);
  try {
    if (lstatSync(link).isSymbolicLink()) return resolve(dirname(link), readlinkSync(link));
  } catch {
    // not there yet: initCluster decides
  }
  return link;
}

/** A folder only the server user may enter (initdb wants 0700), created when missing. */
function ownedDir(dir: string, user: ServerUser | null): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new UnavailableError(`${dir} is not a directory`);
  if (user && (stat.uid !== user.uid || stat.gid !== user.gid)) chownSync(dir, user.uid, user.gid);
}

/**
 * Prepares the folder for a new cluster (no PG_VERSION yet) and returns it: in the stack when the server
 * user can enter it there, otherwise relocated and linked from the stack. A relocated folder left by an
 * earlier stack in the same place whose link is gone (`.stack/data` deleted to start empty, the clone
 * deleted and made again) is emptied first.
 */
export function preparePostgresDataDir(stackRoot: string, user: ServerUser | null): string {
  const link = postgresLink(stackRoot);
  mkdirSync(dirname(link), { recursive: true });
  const linked = postgresDataDir(stackRoot);
  if (linked !== link) {
    ownedDir(linked, user);
    return linked;
  }
  if (user === null || serverUserCanEnter(user, dirname(link))) {
    ownedDir(link, user);
    return link;
  }
  if (existsSync(link)) {
    // An empty folder left by an initdb that could not reach it (before clusters moved): replace it by a link.
    if (!statSync(link).isDirectory() || readdirSync(link).length > 0)
      throw new UnavailableError(
        `${link} holds no cluster but is not empty, and the postgres user cannot reach it; remove it`,
      );
    rmdirSync(link);
  }
  const base = relocatedClustersDir(user);
  ownedDir(base, user);
  const target = join(base, createHash('sha256').update(resolve(stackRoot)).digest('hex').slice(0, 16));
  rmSync(target, { recursive: true, force: true });
  ownedDir(target, user);
  symlinkSync(target, link);
  return target;
}
