// One batch of changelog records into a task's RocksDB store, with the checkpoint it brings the store to,
// in one write batch: what a restore and a standby replica both do.
import type { Serdes, TopicNames } from '../contracts';
import type { Pool, Reservation } from '../domain';
import type { RecordRead } from '../kafka';
import type { Checkpoint, TaskStore } from '../state';

export interface ChangelogDeps {
  readonly serdes: Serdes;
  readonly topics: TopicNames;
}

/**
 * Applies `records` (pool-state and reservations changelog records of one task, in offset order per
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
  for (const record of records) {
    const key = record.key?.toString() ?? '';
    if (record.topic === deps.topics.poolState) {
      pools.set(key, record.value === null ? null : await deps.serdes.poolState.decode(record.value));
    } else {
      reservations.set(
        key,
        record.value === null ? null : await deps.serdes.reservation.decode(record.value),
      );
    }
    changelogOffsets[`${record.topic}:${record.partition}`] = record.offset + 1;
  }
  const checkpoint: Checkpoint = {
    changelogOffsets: { ...changelogOffsets },
    nextInputOffset: checkpointedInput,
  };
  await store.commit(pools, reservations, checkpoint);
}
