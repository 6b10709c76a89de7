// What Kafka holds at the end of a soak, read committed: every event of the journal with the partition,
// offset and writer of its record, and the last record of each key in the pool-state and reservations
// changelogs (null for a tombstone).
import type { Config } from '../../src/config';
import { connectSerdes, topicNames } from '../../src/contracts';
import type { EventEnvelope, Pool, Reservation } from '../../src/domain';
import { createKafka, readToEnd, type RecordRead } from '../../src/kafka';
import { createLogger } from '../../src/observability';

export interface JournalEvent {
  readonly partition: number;
  readonly offset: number;
  /** The `capacity-writer` header: host name and pid of the processor that wrote it. */
  readonly writer: string;
  readonly envelope: EventEnvelope;
}

export interface JournalView {
  readonly events: readonly JournalEvent[];
  readonly pools: ReadonlyMap<string, Pool | null>;
  readonly reservations: ReadonlyMap<string, Reservation | null>;
}

async function readTopic(config: Config, topic: string): Promise<RecordRead[]> {
  const kafka = createKafka(config, { clientId: 'soak-verdict', logger: createLogger('error') });
  const records: RecordRead[] = [];
  const ranges = Array.from({ length: config.partitions }, (_, partition) => ({
    topic,
    partition,
    fromOffset: null,
  }));
  await readToEnd(kafka, `${config.applicationId}-verdict`, ranges, async (batch) => {
    records.push(...batch);
  });
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export async function readJournal(config: Config): Promise<JournalView> {
  const topics = topicNames(config.topicPrefix);
  const serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
  const [events, pools, reservations] = await Promise.all([
    readTopic(config, topics.events),
    readTopic(config, topics.poolState),
    readTopic(config, topics.reservations),
  ]);
  const journal: JournalEvent[] = [];
  for (const r of events)
    if (r.value !== null)
      journal.push({
        partition: r.partition,
        offset: r.offset,
        writer: r.headers['capacity-writer'] ?? '',
        envelope: await serdes.event.decode(r.value),
      });
  const latest = async <T>(records: RecordRead[], decode: (b: Buffer) => Promise<T>) => {
    const map = new Map<string, T | null>();
    for (const r of records)
      map.set(r.key?.toString() ?? '', r.value === null ? null : await decode(r.value));
    return map;
  };
  return {
    events: journal,
    pools: await latest(pools, (b) => serdes.poolState.decode(b)),
    reservations: await latest(reservations, (b) => serdes.reservation.decode(b)),
  };
}
