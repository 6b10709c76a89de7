// A pool's recent history for the planner console, read from the journal (`<prefix>.events`) on demand.
// The journal is keyed by pool id and partitioned like the commands, so one partition holds all of a
// pool's events; there is no per-pool index yet, so a request reads the tail of that partition (at most
// `scanRecords` records) and keeps the pool's own events. A quiet pool in a busy partition can therefore
// show fewer events than it has, and the answer says so (`complete: false`). See ADR 10.
import type { EventEnvelope } from '../domain';
import { OffsetReader, partitionForKey, readToEnd, type Kafka } from '../kafka';

export interface HistoryEntry {
  readonly offset: number;
  readonly version: number;
  readonly type: string;
  readonly occurredAt: number;
  readonly commandId: string;
  /** The event's own fields (capacity, units, reservation id...), without its type. */
  readonly details: Readonly<Record<string, string | number>>;
}

export interface PoolHistoryPage {
  readonly poolId: string;
  /** Newest first, at most the limit asked for. */
  readonly events: readonly HistoryEntry[];
  /** Journal records read to find them. */
  readonly scanned: number;
  /** True when the scan reached the start of the partition's log, so no older event of the pool exists. */
  readonly complete: boolean;
}

/** A journal record: its key and offset, with the value decoded only for the pool's own records. */
export interface JournalRecord {
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
}

/** The first offset to read so that at most `scan` records are read from [low, high). */
export function historyScanStart(low: number, high: number, scan: number): number {
  return Math.max(low, high - scan);
}

/** The records of `poolId` among `records` (any order), the newest `limit` of them, newest first. */
export function selectPoolRecords<R extends JournalRecord>(
  records: readonly R[],
  poolId: string,
  limit: number,
): R[] {
  return records
    .filter((r) => r.key === poolId && r.value !== null)
    .sort((a, b) => b.offset - a.offset)
    .slice(0, limit);
}

/** One journal event as the console shows it. */
export function historyEntryOf(offset: number, envelope: EventEnvelope): HistoryEntry {
  const { type, ...fields } = envelope.event;
  const details: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' || typeof value === 'number') details[name] = value;
  }
  return {
    offset,
    version: envelope.version,
    type,
    occurredAt: envelope.occurredAt,
    commandId: envelope.commandId,
    details,
  };
}

export interface PoolHistoryOptions {
  readonly topic: string;
  /** Consumer group id prefix; the reads assign partitions and commit nothing. */
  readonly groupPrefix: string;
  /** Most journal records one request reads. */
  readonly scanRecords: number;
  readonly decode: (value: Buffer) => Promise<EventEnvelope>;
}

export class PoolHistory {
  private reader: Promise<OffsetReader> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PoolHistoryOptions,
  ) {}

  async recent(poolId: string, limit: number): Promise<PoolHistoryPage> {
    const { topic, scanRecords, groupPrefix, decode } = this.options;
    // One admin connection for all requests: the watermarks are asked on every request.
    this.reader ??= OffsetReader.connect(this.kafka).catch((error: unknown) => {
      this.reader = null;
      throw error;
    });
    const reader = await this.reader;
    const offsets = await reader.offsets(topic);
    const partition = partitionForKey(poolId, offsets.size);
    const { low, high } = offsets.get(partition) ?? { low: 0, high: 0 };
    const fromOffset = historyScanStart(low, high, scanRecords);
    const records: JournalRecord[] = [];
    await readToEnd(
      this.kafka,
      groupPrefix,
      [{ topic, partition, fromOffset }],
      async (read) => {
        for (const r of read)
          records.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value });
      },
      reader,
    );
    const mine = selectPoolRecords(records, poolId, limit);
    const events = await Promise.all(mine.map(async (r) => historyEntryOf(r.offset, await decode(r.value!))));
    return { poolId, events, scanned: records.length, complete: fromOffset === low };
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    if (reader) await (await reader.catch(() => null))?.close();
  }
}
