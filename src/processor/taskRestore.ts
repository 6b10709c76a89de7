// Brings one task's RocksDB up to its changelog partitions: from the local checkpoint (or the beginning) to
// the end offsets, read_committed, each fetched batch and the advanced checkpoint in one RocksDB write.
import { changelogTopics, type Serdes, type TopicNames } from '../contracts';
import { readToEnd, type Kafka, type OffsetReader } from '../kafka';
import type { Logger } from '../observability';
import { TaskStore } from '../state';
import { applyChangelog } from './changelogApply';

export interface RestoreDeps {
  readonly kafka: Kafka;
  readonly serdes: Serdes;
  readonly topics: TopicNames;
  readonly applicationId: string;
  readonly stateDir: string;
  /** Watermarks over the processor's one admin connection. */
  readonly offsets: OffsetReader;
}

export interface Restored {
  readonly store: TaskStore;
  /** Per changelog "topic:partition", the offset after the last record reflected in the store. */
  readonly changelogOffsets: Record<string, number>;
  /** The next input offset the local checkpoint recorded (0 when there was none). */
  readonly checkpointedInput: number;
  readonly records: number;
}

export async function restoreTask(deps: RestoreDeps, partition: number, log: Logger): Promise<Restored> {
  let store = await TaskStore.open(deps.stateDir, partition);
  try {
    for (;;) {
      const checkpoint = await store.checkpoint();
      const changelogOffsets = { ...(checkpoint?.changelogOffsets ?? {}) };
      const checkpointedInput = checkpoint?.nextInputOffset ?? 0;
      const changelogs = changelogTopics(deps.topics);
      const ranges = changelogs.map((topic) => ({
        topic,
        partition,
        fromOffset: changelogOffsets[`${topic}:${partition}`] ?? null,
      }));
      const target = store;
      const result = await readToEnd(
        deps.kafka,
        deps.applicationId,
        ranges,
        (records) => applyChangelog(deps, target, records, changelogOffsets, checkpointedInput),
        deps.offsets,
      );
      // A checkpoint beyond the end of a changelog means the topics were recreated: the local state
      // belongs to another cluster's history. Drop it and restore from the beginning.
      const stale = ranges.some(
        (r) =>
          r.fromOffset !== null && r.fromOffset > (result.endOffsets.get(`${r.topic}:${r.partition}`) ?? 0),
      );
      if (!stale) {
        log.info(
          { records: result.records, fromCheckpoint: checkpoint !== null },
          'restored from changelogs',
        );
        return { store, changelogOffsets, checkpointedInput, records: result.records };
      }
      log.warn(
        'local checkpoint is ahead of the changelogs; wiping local state and restoring from the beginning',
      );
      await store.close();
      TaskStore.wipe(deps.stateDir, partition);
      store = await TaskStore.open(deps.stateDir, partition);
    }
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
