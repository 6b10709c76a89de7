// Reads given topic-partitions from given offsets up to their end offsets, read_committed, by assigning them
// directly (no consumer group, so no join and no rebalance delay).
import type { Kafka } from './client';
import { partitionKey, RdConsumer, recordOf, type RecordRead } from './rdConsumer';
import { OffsetReader } from './topicAdmin';

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read; null = from the beginning. */
  readonly fromOffset: number | null;
}

export type { RecordRead };

export interface ReadToEndResult {
  /** Per "topic:partition", the end offset measured at start (the high watermark). */
  readonly endOffsets: ReadonlyMap<string, number>;
  readonly records: number;
}

/**
 * Calls `onRecords` with every record of the ranges, in offset order per partition, until each range has
 * reached the high watermark measured at start. An open transaction below it (a crashed producer's) holds
 * the read until the transaction is committed or aborted, so nothing committed before the start is missed.
 */
export async function readToEnd(
  kafka: Kafka,
  groupIdPrefix: string,
  ranges: readonly PartitionRange[],
  onRecords: (records: readonly RecordRead[]) => Promise<void>,
  offsetReader?: OffsetReader,
): Promise<ReadToEndResult> {
  // The high watermark, not the last stable offset (which is what a read_committed consumer's own query
  // returns): records committed after a still-open transaction are below it and must be read.
  const watermarks = new Map<string, { low: number; high: number }>();
  const reader = offsetReader ?? (await OffsetReader.connect(kafka));
  try {
    for (const topic of new Set(ranges.map((r) => r.topic))) {
      for (const [partition, offsets] of await reader.offsets(topic))
        watermarks.set(partitionKey(topic, partition), offsets);
    }
  } finally {
    if (!offsetReader) await reader.close();
  }
  const ends = new Map<string, number>();
  const pending = new Map<string, number>();
  const assignments = [];
  for (const range of ranges) {
    const key = partitionKey(range.topic, range.partition);
    const { low, high } = watermarks.get(key) ?? { low: 0, high: 0 };
    ends.set(key, high);
    const from = Math.max(range.fromOffset ?? 0, low);
    if (from < high) {
      pending.set(key, high);
      assignments.push({ topic: range.topic, partition: range.partition, offset: from });
    }
  }
  let records = 0;
  // Nothing to read (a warm standby copy, an empty partition): no consumer to connect.
  if (assignments.length === 0) return { endOffsets: ends, records };
  const consumer = await RdConsumer.connect(kafka, {
    'group.id': `${groupIdPrefix}-reader`,
    'enable.partition.eof': true,
    'fetch.wait.max.ms': 20,
  });
  try {
    consumer.assign(assignments);
    while (pending.size > 0) {
      const messages = await consumer.consume(2000, 100);
      const read: RecordRead[] = [];
      for (const m of messages) {
        const key = partitionKey(m.topic, m.partition);
        const end = pending.get(key);
        if (end === undefined || m.offset >= end) continue;
        read.push(recordOf(m));
        if (m.offset + 1 >= end) pending.delete(key);
      }
      // A partition that ends in commit markers (or aborted records) is finished when its end-of-partition
      // event reaches the end offset: those offsets never arrive as messages.
      for (const eof of consumer.eofs.splice(0)) {
        const key = partitionKey(eof.topic, eof.partition);
        const end = pending.get(key);
        if (end !== undefined && eof.offset >= end) pending.delete(key);
      }
      records += read.length;
      if (read.length > 0) await onRecords(read);
    }
    return { endOffsets: ends, records };
  } finally {
    await consumer.disconnect();
  }
}
