// The records one task writes in a transaction, all to its own partition of each topic and stamped with the
// writing instance: journal events, command results, dead letters, and the changelogs' last states.
import type { CommandResult, Serdes, TopicNames } from '../contracts';
import type { EventEnvelope } from '../domain';
import type { OutRecord } from '../kafka';
import type { WriteOverlay } from '../state';
import type { RawCommand } from './commandHandler';

export class TaskRecords {
  constructor(
    private readonly partition: number,
    private readonly deps: {
      readonly serdes: Serdes;
      readonly topics: TopicNames;
      readonly writerId: string;
    },
  ) {}

  event(event: EventEnvelope): OutRecord {
    return this.record(this.deps.topics.events, event.poolId, this.deps.serdes.event.encode(event));
  }

  /**
   * Results go to the task's own partition: a read_committed reader sees a partition only up to its oldest
   * open transaction, so results spread over every partition would wait for other instances.
   */
  result(result: CommandResult): OutRecord {
    return this.record(
      this.deps.topics.commandResults,
      result.commandId,
      this.deps.serdes.result.encode(result),
    );
  }

  deadLetter(message: RawCommand, reason: { readonly code: string; readonly reason: string }): OutRecord {
    return this.record(this.deps.topics.deadLetters, message.key, message.value, {
      'capacity-error-code': reason.code,
      'capacity-error-reason': reason.reason.slice(0, 1000),
      'capacity-source-topic': this.deps.topics.commands,
      'capacity-source-partition': String(this.partition),
      'capacity-source-offset': String(message.offset),
    });
  }

  /**
   * The changelogs are compacted: only each key's last state in the cycle is written (what Kafka Streams'
   * record cache does), a deletion as a tombstone. The journal keeps every event.
   */
  changelogs(overlay: WriteOverlay): OutRecord[] {
    const { serdes, topics } = this.deps;
    const records: OutRecord[] = [];
    for (const [poolId, pool] of overlay.pools)
      records.push(this.record(topics.poolState, poolId, pool && serdes.poolState.encode(pool)));
    for (const [id, reservation] of overlay.reservations)
      records.push(
        this.record(topics.reservations, id, reservation && serdes.reservation.encode(reservation)),
      );
    for (const [poolId, marker] of overlay.markers)
      records.push(this.record(topics.expiredPools, poolId, marker && serdes.expiredPool.encode(marker)));
    return records;
  }

  private record(
    topic: string,
    key: string | Buffer | null,
    value: Buffer | null,
    headers: Record<string, string> = {},
  ): OutRecord {
    return {
      topic,
      partition: this.partition,
      key,
      value,
      headers: { ...headers, 'capacity-writer': this.deps.writerId },
    };
  }
}
