// Warm standby replicas (Kafka Streams' num.standby.replicas): local RocksDB copies of partitions this
// instance does not own, kept current by following their changelog partitions (read_committed, assigned
// directly, no group). A standby never writes to Kafka. When the group hands this instance one of them,
// `release` closes the copy and the new task restores only what the copy had not applied yet.
import { changelogTopics } from '../contracts';
import { describeError } from '../errors';
import { partitionKey, RdConsumer, recordOf, type Message, type RecordRead } from '../kafka';
import type { Logger } from '../observability';
import { TaskStore } from '../state';
import { applyChangelog } from './changelogApply';
import type { TaskDeps } from './partitionTask';

/** What a standby needs of a task's dependencies: everything but the group member and the writer id. */
export type StandbyDeps = Pick<
  TaskDeps,
  'kafka' | 'serdes' | 'topics' | 'applicationId' | 'stateDir' | 'offsets' | 'logger' | 'metrics'
>;

interface Replica {
  readonly store: TaskStore;
  /** Per changelog "topic:partition", the offset after the last record applied (as in the checkpoint). */
  readonly changelogOffsets: Record<string, number>;
  readonly checkpointedInput: number;
  /** Per changelog "topic:partition", how far the consumer has read, transaction markers included. */
  readonly positions: Map<string, number>;
}

const OFFSET_BEGINNING = -2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StandbyReplicas {
  private readonly replicas = new Map<number, Replica>();
  private wanted = new Set<number>();
  private consumer: RdConsumer | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Serialises membership changes with applying fetched batches. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private running = false;
  private lagUpdatedAt = 0;
  private readonly log: Logger;

  constructor(private readonly deps: StandbyDeps) {
    this.log = deps.logger.child({ component: 'standby' });
  }

  /** The partitions with a local copy being followed now. */
  get partitions(): number[] {
    return [...this.replicas.keys()].sort((a, b) => a - b);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Follows exactly `partitions` from now on (opening copies it lacks, closing ones it no longer needs). */
  follow(partitions: ReadonlySet<number>): Promise<void> {
    this.wanted = new Set(partitions);
    return this.withExclusive(() => this.reconcile());
  }

  /** Stops following `partitions` and closes their copies, so a task can open them. */
  release(partitions: readonly number[]): Promise<void> {
    if (!partitions.some((p) => this.wanted.has(p) || this.replicas.has(p))) return Promise.resolve();
    for (const p of partitions) this.wanted.delete(p);
    return this.withExclusive(() => this.reconcile());
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.wanted.clear();
    await this.withExclusive(() => this.reconcile());
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private withExclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(work, work);
    this.exclusive = next.catch(() => undefined);
    return next;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.consumer || this.replicas.size === 0) {
          await sleep(100);
          continue;
        }
        const consumer = this.consumer;
        const messages = await consumer.consume(1000, 50);
        await this.withExclusive(() => this.apply(consumer, messages));
        this.updateLag();
      } catch (error) {
        this.log.warn({ err: describeError(error) }, 'standby update failed; retrying');
        await sleep(1000);
      }
    }
  }

  /** Applies fetched records of partitions still followed, from where each copy stands. */
  private async apply(consumer: RdConsumer, messages: readonly Message[]): Promise<void> {
    const byPartition = new Map<number, RecordRead[]>();
    for (const m of messages) {
      const replica = this.replicas.get(m.partition);
      const key = partitionKey(m.topic, m.partition);
      if (!replica || m.offset < (replica.changelogOffsets[key] ?? 0)) continue;
      let list = byPartition.get(m.partition);
      if (!list) byPartition.set(m.partition, (list = []));
      list.push(recordOf(m));
      replica.positions.set(key, Math.max(replica.positions.get(key) ?? 0, m.offset + 1));
    }
    for (const [partition, records] of byPartition) {
      const replica = this.replicas.get(partition);
      if (!replica) continue;
      await applyChangelog(
        this.deps,
        replica.store,
        records,
        replica.changelogOffsets,
        replica.checkpointedInput,
      );
    }
    // At the end of a partition the position is past the last transaction marker: checkpoint that, so a
    // takeover from this copy finds nothing left to read and connects no restore consumer at all.
    const caughtUp = new Set<number>();
    for (const eof of consumer.eofs.splice(0)) {
      const replica = this.replicas.get(eof.partition);
      const key = partitionKey(eof.topic, eof.partition);
      if (!replica || eof.offset <= (replica.changelogOffsets[key] ?? 0)) continue;
      if (byPartition.has(eof.partition) && eof.offset < (replica.positions.get(key) ?? 0)) continue;
      replica.positions.set(key, eof.offset);
      replica.changelogOffsets[key] = eof.offset;
      caughtUp.add(eof.partition);
    }
    for (const partition of caughtUp) {
      const replica = this.replicas.get(partition);
      if (replica)
        await applyChangelog(
          this.deps,
          replica.store,
          [],
          replica.changelogOffsets,
          replica.checkpointedInput,
        );
    }
  }

  private async reconcile(): Promise<void> {
    let changed = false;
    for (const [partition, replica] of [...this.replicas]) {
      if (this.wanted.has(partition)) continue;
      this.replicas.delete(partition);
      this.deps.metrics.standbyLag.remove({ partition: String(partition) });
      await replica.store.close().catch(() => undefined);
      changed = true;
    }
    for (const partition of this.wanted) {
      if (this.replicas.has(partition)) continue;
      try {
        this.replicas.set(partition, await this.open(partition));
        changed = true;
      } catch (error) {
        // Still held by a task that is closing: the next refresh tries again.
        this.log.debug({ partition, err: describeError(error) }, 'standby copy not opened yet');
      }
    }
    this.deps.metrics.standbyPartitions.set(this.replicas.size);
    if (changed) await this.assign();
  }

  private async open(partition: number): Promise<Replica> {
    const { stateDir, topics } = this.deps;
    let store = await TaskStore.open(stateDir, partition);
    let checkpoint = await store.checkpoint();
    if (checkpoint && (await this.checkpointBeyondEnd(partition, checkpoint.changelogOffsets))) {
      // Topics recreated since this copy was written: it belongs to another history.
      await store.close();
      TaskStore.wipe(stateDir, partition);
      store = await TaskStore.open(stateDir, partition);
      checkpoint = null;
    }
    const changelogOffsets = { ...(checkpoint?.changelogOffsets ?? {}) };
    const positions = new Map<string, number>();
    for (const topic of changelogTopics(topics)) {
      const key = partitionKey(topic, partition);
      positions.set(key, changelogOffsets[key] ?? 0);
    }
    return { store, changelogOffsets, checkpointedInput: checkpoint?.nextInputOffset ?? 0, positions };
  }

  private async checkpointBeyondEnd(
    partition: number,
    offsets: Readonly<Record<string, number>>,
  ): Promise<boolean> {
    for (const topic of changelogTopics(this.deps.topics)) {
      const high = (await this.deps.offsets.offsets(topic)).get(partition)?.high ?? 0;
      if ((offsets[partitionKey(topic, partition)] ?? 0) > high) return true;
    }
    return false;
  }

  /** Points the follower at every copy's changelog partitions, each from where the copy stands. */
  private async assign(): Promise<void> {
    if (!this.consumer && this.replicas.size === 0) return;
    this.consumer ??= await RdConsumer.connect(this.deps.kafka, {
      'group.id': `${this.deps.applicationId}-standby`,
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 100,
    });
    const assignments = [];
    for (const [partition, replica] of this.replicas) {
      for (const topic of changelogTopics(this.deps.topics)) {
        const offset = replica.changelogOffsets[partitionKey(topic, partition)];
        assignments.push({ topic, partition, offset: offset ?? OFFSET_BEGINNING });
      }
    }
    this.consumer.assign(assignments);
    this.log.info({ partitions: this.partitions }, 'following standby partitions');
  }

  /** Standby lag per partition: changelog records (and markers) not yet applied, both changelogs. */
  private updateLag(): void {
    const now = Date.now();
    if (now - this.lagUpdatedAt < 1000 || !this.consumer) return;
    this.lagUpdatedAt = now;
    for (const [partition, replica] of this.replicas) {
      let lag = 0;
      for (const [key, position] of replica.positions) {
        const [topic] = key.split(/:(?=\d+$)/);
        const high = this.consumer.cachedHighWatermark(topic ?? '', partition);
        if (high !== null) lag += Math.max(0, high - position);
      }
      this.deps.metrics.standbyLag.set({ partition: String(partition) }, lag);
    }
  }
}
