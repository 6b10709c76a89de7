// One batch of changelog records into a task's RocksDB store, with the checkpoint it brings the store to,
// in one write batch: what a restore and a standby replica both do.
import type { Serdes, TopicNames } from '../contracts';
import type { ExpiredPool, Pool, Reservation } from '../domain';
import type { RecordRead } from '../kafka';
import type { Checkpoint, TaskStore } from '../state';

export interface ChangelogDeps {
  readonly serdes: Serdes;
  readonly topics: TopicNames;
}

/**
 * Applies `records` (pool-state, reservations and expired-pools changelog records of one task, in offset order per
 * partition) and advances `changelogOffsets` in place. `checkpointedInput` is kept as it was: changelogs do
 * not say which command offset they reflect (the group's committed offset does).
 */
export async function applyChangelog(
  deps: ChangelogDeps,
  store: TaskStore,
  records: readonly RecordRead[],
  changelogOffsets: Record<string, number>,
  checkpointedInput: number,
): Promise<void> {
  const pools = new Map<string, Pool | null>();
  const reservations = new Map<string, Reservation | null>();
  const markers = new Map<string, ExpiredPool | null>();
  const { topics, serdes } = deps;
  for (const record of records) {
    const key = record.key?.toString() ?? '';
    const value = record.value;
    if (record.topic === topics.poolState) {
      pools.set(key, value === null ? null : await serdes.poolState.decode(value));
    } else if (record.topic === topics.expiredPools) {
      markers.set(key, value === null ? null : await serdes.expiredPool.decode(value));
    } else {
      reservations.set(key, value === null ? null : await serdes.reservation.decode(value));
    }
    changelogOffsets[`${record.topic}:${record.partition}`] = record.offset + 1;
  }
  const checkpoint: Checkpoint = {
    changelogOffsets: { ...changelogOffsets },
    nextInputOffset: checkpointedInput,
  };
  await store.commit({ pools, reservations, markers }, checkpoint);
}
