// One processor per state directory. RocksDB's own LOCK file (an fcntl lock the OS releases when the
// process dies, even on kill -9) guards a tiny marker database, so no stale lock file can block a restart.
import { join } from 'node:path';
import { RocksStore, StateLockedError } from './rocksStore';

export class InstanceLock {
  private constructor(private readonly store: RocksStore) {}

  /** Throws StateLockedError at once if another live process holds the directory. */
  static async acquire(stateDir: string): Promise<InstanceLock> {
    try {
      return new InstanceLock(await RocksStore.open(join(stateDir, 'instance.lock')));
    } catch (error) {
      throw error instanceof StateLockedError ? new StateLockedError(stateDir, error) : error;
    }
  }

  release(): Promise<void> {
    return this.store.close();
  }
}
