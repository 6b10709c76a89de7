// Applies pool-state changelog records to the AvailabilityIndex, in order. The Kafka side (which records,
// when) lives in AvailabilityReadModel; this is the decoding policy, testable without a broker:
// - a record that can never be read (a ContractError: bad magic byte, unknown schema id, ...) is skipped
//   and logged, because one bad record must not stop availability for every other pool;
// - a retriable failure (the schema registry unreachable) says nothing about the record: the feed stops at
//   it and retries with backoff until it decodes or the feed is closed. The index keeps answering from what
//   it has, and its age (asOf) shows how stale that is.
import type { Pool } from '../domain';
import { describeError, isRetriable } from '../errors';
import type { Logger } from '../observability';
import type { AvailabilityIndex } from './availabilityIndex';

/** The parts of a consumed changelog record the feed uses. */
export interface PoolStateRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface PoolStateFeedOptions {
  /** First wait before retrying a retriable decode failure; doubles up to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

const DEFAULTS: PoolStateFeedOptions = { retryMinMs: 100, retryMaxMs: 5000 };

export class PoolStateFeed {
  /** Why the feed is waiting, while a retriable failure holds it at a record; null otherwise. */
  retrying: string | null = null;
  /** Records skipped because they can never be read. */
  skipped = 0;
  private closed = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly index: AvailabilityIndex,
    private readonly decode: (value: Buffer) => Promise<Pool>,
    private readonly log: Logger,
    private readonly options: PoolStateFeedOptions = DEFAULTS,
  ) {}

  /**
   * Applies records in order; resolves when all are applied (or skipped as unreadable). Rejects only when
   * the feed is closed while waiting out a retriable failure (the record is then not applied).
   */
  async apply(records: readonly PoolStateRecord[]): Promise<void> {
    for (const record of records) {
      const poolId = record.key?.toString() ?? '';
      if (record.value === null) {
        this.index.apply(poolId, null);
        continue;
      }
      const pool = await this.decodeOrSkip(record, record.value);
      if (pool !== null) this.index.apply(poolId, pool);
    }
  }

  /** Ends any wait for a retry; a later apply() fails at its first retriable failure. */
  close(): void {
    this.closed = true;
    this.wakeUp?.();
  }

  private async decodeOrSkip(record: PoolStateRecord, value: Buffer): Promise<Pool | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const pool = await this.decode(value);
        if (this.retrying !== null) {
          this.log.info(
            { partition: record.partition, offset: record.offset, attempt },
            'pool-state feed resumed',
          );
          this.retrying = null;
        }
        return pool;
      } catch (error) {
        const where = { err: describeError(error), partition: record.partition, offset: record.offset };
        if (!isRetriable(error)) {
          this.skipped += 1;
          this.log.error(where, 'skipping unreadable pool-state record');
          return null;
        }
        if (this.closed) throw error;
        if (this.retrying === null) this.log.warn(where, 'pool-state feed waiting for the schema registry');
        this.retrying = describeError(error);
        await this.pause(Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** (attempt - 1)));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
