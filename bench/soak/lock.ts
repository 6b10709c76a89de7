// One soak at a time on a machine: two would share the stack, the ports and the test hosts, and the first
// to end would tear down the other's. The lock is a pid file in .soak/; a stale one (its process gone) is
// taken over.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOAK_DIR } from './cluster';

const LOCK = join(SOAK_DIR, 'soak.pid');

function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('soak');
  } catch {
    return false;
  }
}

/** Takes the lock (released when this process exits), or throws naming the soak that holds it. */
export function claimSoakLock(): void {
  mkdirSync(SOAK_DIR, { recursive: true });
  const holder = existsSync(LOCK) ? Number(readFileSync(LOCK, 'utf8').trim()) : null;
  if (holder !== null && holder !== process.pid && running(holder))
    throw new Error(`another soak (pid ${holder}) is running on this machine; wait for it or end it first`);
  writeFileSync(LOCK, `${process.pid}\n`);
  process.once('exit', () => {
    if (existsSync(LOCK) && readFileSync(LOCK, 'utf8').trim() === String(process.pid)) rmSync(LOCK);
  });
}
