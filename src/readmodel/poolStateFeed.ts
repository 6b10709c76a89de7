// Applies pool-state changelog records to the AvailabilityIndex, in order. The Kafka side (which records,
// when) lives in AvailabilityReadModel; this is the decoding policy, testable without a broker.
import type { Pool } from '../domain';
import { describeError } from '../errors';
import type { Logger } from '../observability';
import type { AvailabilityIndex } from './availabilityIndex';

/** The parts of a consumed changelog record the feed uses. */
export interface PoolStateRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export class PoolStateFeed {
  constructor(
    private readonly index: AvailabilityIndex,
    private readonly decode: (value: Buffer) => Promise<Pool>,
    private readonly log: Logger,
  ) {}

  /** Applies records in order; resolves when all are applied (or skipped). */
  async apply(records: readonly PoolStateRecord[]): Promise<void> {
    for (const record of records) {
      const poolId = record.key?.toString() ?? '';
      try {
        this.index.apply(poolId, record.value === null ? null : await this.decode(record.value));
      } catch (error) {
        // A record we cannot read must not stop availability for every other pool.
        this.log.error(
          { err: describeError(error), partition: record.partition, offset: record.offset },
          'skipping unreadable pool-state record',
        );
      }
    }
  }
}
