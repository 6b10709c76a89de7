import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreCounts } from '../state';

/** The processor's metrics, one registry per process (`capacity_processor_*`). */
export class ProcessorMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'capacity_processor_commands_total',
    help: 'Commands processed, by command type and outcome (accepted, or the rejection reason code)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'capacity_processor_dead_letters_total',
    help: 'Commands routed to the dead-letter topic, by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'capacity_processor_batch_size',
    help: 'Commands per cycle (one transaction for every owned partition)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });
  readonly tasksPerCycle = new Histogram({
    name: 'capacity_processor_cycle_tasks',
    help: 'Partition tasks with commands in one cycle',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32],
    registers: [this.registry],
  });
  readonly cycleSeconds = new Histogram({
    name: 'capacity_processor_cycle_seconds',
    help: 'Time of one cycle: decide, send, commit, write RocksDB',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'capacity_processor_transaction_commit_seconds',
    help: 'Time to send and commit one transaction',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly restoreRecords = new Counter({
    name: 'capacity_processor_restore_records_total',
    help: 'Changelog records applied while restoring tasks',
    registers: [this.registry],
  });
  readonly restoreSeconds = new Histogram({
    name: 'capacity_processor_restore_seconds',
    help: 'Time to position and restore one task',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly takeoverRestoreRecords = new Gauge({
    name: 'capacity_processor_takeover_restore_records',
    help: 'Changelog records the last initialisation of a partition task restored, per partition (few when a standby copy was warm)',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly takeoverRestoreSeconds = new Gauge({
    name: 'capacity_processor_takeover_restore_seconds',
    help: 'Seconds the last initialisation of a partition task took (position + restore), per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly standbyPartitions = new Gauge({
    name: 'capacity_processor_standby_partitions',
    help: 'Partitions this instance keeps a warm standby copy of',
    registers: [this.registry],
  });
  readonly standbyLag = new Gauge({
    name: 'capacity_processor_standby_lag',
    help: 'Changelog offsets (records and transaction markers) a standby copy has not applied yet, per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly fencedOwners = new Counter({
    name: 'capacity_processor_fenced_owners_total',
    help: 'Transactional ids of lost members fenced at a takeover (their open transactions aborted at once)',
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'capacity_processor_consumer_lag',
    help: 'Commands not yet processed, per partition (high watermark - next offset)',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly poolsExpired = new Counter({
    name: 'capacity_processor_pools_expired_total',
    help: 'Pools retired by the punctuation (PoolExpired)',
    registers: [this.registry],
  });
  private storedEntriesSource: (() => Promise<StoreCounts>) | null = null;
  readonly storedEntries = new Gauge({
    name: 'capacity_processor_stored_entries',
    help: 'Entries in the local state of the owned partitions by kind (pool, reservation, marker); counted by a scan of RocksDB at each scrape',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: async () => {
      const counts = await this.storedEntriesSource?.().catch(() => null);
      if (!counts) return;
      this.storedEntries.set({ kind: 'pool' }, counts.pools);
      this.storedEntries.set({ kind: 'reservation' }, counts.reservations);
      this.storedEntries.set({ kind: 'marker' }, counts.markers);
    },
  });

  /** Where the stored-entries gauge counts from (the processor's task set). */
  countStoredEntries(source: () => Promise<StoreCounts>): void {
    this.storedEntriesSource = source;
  }
  readonly tasksOwned = new Gauge({
    name: 'capacity_processor_tasks_owned',
    help: 'Partition tasks this instance owns',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'capacity_processor_' });
  }
}
