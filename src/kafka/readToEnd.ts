// Reads given topic-partitions from given offsets up to their end offsets, read_committed. kafkajs has no
// manual assignment, so this uses a throwaway consumer group that never commits, seeks the wanted
// partitions and pauses the rest.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { retryRetriable } from './retriable';

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read; null = from the beginning. */
  readonly fromOffset: number | null;
}

export interface RecordRead {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadToEndResult {
  /** Per "topic:partition", the offset after the last one read (the end offset at start). */
  readonly endOffsets: ReadonlyMap<string, number>;
  readonly records: number;
}

const rangeKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * Calls `onRecords` with every record of the ranges, in offset order per partition, until each range has
 * reached the end offset measured at start. `heartbeat` is called between batches so a caller inside a
 * consumer group callback can keep its own membership alive.
 */
export async function readToEnd(
  kafka: Kafka,
  groupIdPrefix: string,
  ranges: readonly PartitionRange[],
  onRecords: (records: readonly RecordRead[]) => Promise<void>,
  heartbeat: () => Promise<void> = async () => undefined,
): Promise<ReadToEndResult> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  const starts = new Map<string, number>();
  try {
    for (const topic of new Set(ranges.map((r) => r.topic))) {
      const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic));
      for (const o of offsets) {
        ends.set(rangeKey(topic, o.partition), Number(o.high));
        starts.set(rangeKey(topic, o.partition), Number(o.low));
      }
    }
  } finally {
    await admin.disconnect();
  }

  const pending = new Map<string, PartitionRange>();
  for (const range of ranges) {
    const key = rangeKey(range.topic, range.partition);
    const from = Math.max(range.fromOffset ?? 0, starts.get(key) ?? 0);
    if (from < (ends.get(key) ?? 0)) pending.set(key, { ...range, fromOffset: from });
  }
  if (pending.size === 0) return { endOffsets: ends, records: 0 };

  const consumer = kafka.consumer({
    groupId: `${groupIdPrefix}-restore-${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
  });
  let records = 0;
  const wanted = (topic: string, partition: number) => pending.has(rangeKey(topic, partition));
  try {
    await consumer.connect();
    for (const topic of new Set(ranges.map((r) => r.topic)))
      await consumer.subscribe({ topic, fromBeginning: true });

    let finish: () => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    // If the consumer crashes before we reach `await done` (e.g. run() fails to join and seek() throws),
    // the rejection must not go unhandled: that would end the process instead of the caller's retry.
    done.catch(() => undefined);
    // END_BATCH_PROCESS also reports batches that held only control records (commit markers), which
    // never reach eachBatch: that is how a partition ending in a commit marker is seen to be finished.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const key = rangeKey(payload.topic, payload.partition);
      if (pending.has(key) && Number(payload.lastOffset) + 1 >= (ends.get(key) ?? 0)) {
        pending.delete(key);
        if (pending.size === 0) finish();
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));

    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (!wanted(batch.topic, batch.partition)) return;
        const end = ends.get(rangeKey(batch.topic, batch.partition)) ?? 0;
        const read = batch.messages
          .filter((m) => Number(m.offset) < end)
          .map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).map(([name, v]) => [name, String(v)]),
            ),
          }));
        records += read.length;
        if (read.length > 0) await onRecords(read);
        await heartbeat();
      },
    });
    // The group assigns every partition of the topics to this one member: read only the wanted ones.
    for (const range of pending.values()) {
      consumer.seek({
        topic: range.topic,
        partition: range.partition,
        offset: String(range.fromOffset ?? 0),
      });
    }
    for (const topic of new Set(ranges.map((r) => r.topic))) {
      const others = [...starts.keys()]
        .filter((key) => key.startsWith(`${topic}:`) && !pending.has(key))
        .map((key) => Number(key.slice(topic.length + 1)));
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    }
    await done;
  } finally {
    await consumer.disconnect();
  }
  return { endOffsets: ends, records };
}
