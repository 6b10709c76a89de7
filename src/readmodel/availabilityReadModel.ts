// Feeds the AvailabilityIndex from the pool-state changelog, from the beginning, on every start. Ready once
// it has caught up to the end offsets seen at start-up; reports its lag and how fresh it is.
import type { Serdes } from '../contracts';
import { describeError } from '../errors';
import { TopicFollower, type Kafka } from '../kafka';
import type { Logger } from '../observability';
import { AvailabilityIndex } from './availabilityIndex';
import { PoolStateFeed } from './poolStateFeed';

export interface ReadModelStatus {
  readonly ready: boolean;
  /** Records behind the newest high watermark seen, summed over partitions. */
  readonly lagRecords: number;
  /** When the model last applied a record or confirmed it was caught up (epoch ms). */
  readonly asOf: number;
  readonly pools: number;
  readonly failed: string | null;
  /** Set while a retriable failure (schema registry unreachable) holds the feed at a record. */
  readonly retrying: string | null;
}

export class AvailabilityReadModel {
  readonly index = new AvailabilityIndex();
  private readonly follower: TopicFollower;
  private readonly startupEnds = new Map<number, number>();
  private readonly positions = new Map<number, number>();
  private readonly highWatermarks = new Map<number, number>();
  private readyAt: number | null = null;
  private asOf = 0;
  private failed: string | null = null;
  private readonly log: Logger;
  private readonly feed: PoolStateFeed;

  constructor(kafka: Kafka, topic: string, serdes: Serdes, logger: Logger, groupPrefix: string) {
    this.log = logger.child({ component: 'readmodel' });
    this.feed = new PoolStateFeed(this.index, (value) => serdes.poolState.decode(value), this.log);
    this.follower = new TopicFollower(kafka, {
      topic,
      groupPrefix: `${groupPrefix}-readmodel`,
      onRecords: async (records) => {
        await this.feed.apply(records);
        this.asOf = Date.now();
      },
      onProgress: (progress) => {
        this.positions.set(progress.partition, progress.position);
        this.highWatermarks.set(progress.partition, progress.highWatermark);
        this.asOf = Date.now();
        this.checkReady();
      },
      onCrash: (error) => {
        this.failed = describeError(error);
        this.log.error({ err: this.failed }, 'read model consumer stopped');
      },
    });
  }

  async start(): Promise<void> {
    for (const [partition, end] of await this.follower.endOffsets()) this.startupEnds.set(partition, end);
    this.checkReady();
    await this.follower.start();
  }

  private checkReady(): void {
    if (this.readyAt !== null) return;
    for (const [partition, end] of this.startupEnds) {
      if (end > 0 && (this.positions.get(partition) ?? 0) < end) return;
    }
    this.readyAt = Date.now();
    this.asOf = this.readyAt;
    this.log.info({ pools: this.index.size }, 'read model caught up');
  }

  status(): ReadModelStatus {
    let lag = 0;
    for (const [partition, high] of this.highWatermarks)
      lag += Math.max(0, high - (this.positions.get(partition) ?? 0));
    for (const [partition, end] of this.startupEnds) {
      if (!this.highWatermarks.has(partition)) lag += end;
    }
    return {
      ready: this.readyAt !== null && this.failed === null,
      lagRecords: lag,
      asOf: this.asOf,
      pools: this.index.size,
      failed: this.failed,
      retrying: this.feed.retrying,
    };
  }

  async stop(): Promise<void> {
    this.feed.close();
    this.index.close();
    await this.follower.stop();
  }
}
