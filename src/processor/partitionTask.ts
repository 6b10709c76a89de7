// One task per owned partition. Protocol (docs/adr/0004-processor-transactions.md):
//   1. fence: a transactional producer with id <app>-<partition> bumps the epoch;
//   2. restore: read the task's partition of each changelog from the local checkpoint to the end;
//   3. process each batch in ONE transaction (events, changelogs, results, dead letters, task position,
//      consumed offset); only after it commits, write the overlay and checkpoint to RocksDB.
import type { CommandResult, Serdes, TopicNames } from '../contracts';
import type { CommandEnvelope, Pool, Reservation } from '../domain';
import { describeError } from '../errors';
import {
  isFencingError,
  readToEnd,
  TaskWriter,
  type BatchControl,
  type InputBatch,
  type Kafka,
  type OutRecord,
  type RecordRead,
} from '../kafka';
import type { Logger } from '../observability';
import { TaskStore, WriteOverlay, type Checkpoint } from '../state';
import { handleCommand, keysOf, type HandledCommand } from './commandHandler';
import type { ProcessorMetrics } from './processorMetrics';

export interface TaskDeps {
  readonly kafka: Kafka;
  readonly serdes: Serdes;
  readonly topics: TopicNames;
  readonly applicationId: string;
  readonly stateDir: string;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly partitionOfPool: (poolId: string) => number;
  readonly maxCommandsPerTransaction: number;
  readonly transactionTimeoutMs: number;
  /** Stamped on every record as the `capacity-writer` header: which instance wrote it (audits, tests). */
  readonly writerId: string;
}

export type TaskState = 'initializing' | 'ready' | 'closed';
const GROUP_OFFSET_INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PartitionTask {
  state: TaskState = 'initializing';
  /** Why the task closed: 'revoked', 'fenced' or 'shutdown'. */
  closedBecause: string | null = null;
  /** The next command offset to process; null until a first transaction exists for the partition. */
  nextOffset: number | null = null;
  /** Set while a batch or a restore is in progress: health reports a task stuck past a bound. */
  busySince: number | null = null;
  private writer: TaskWriter | null = null;
  private store: TaskStore | null = null;
  private changelogOffsets: Record<string, number> = {};
  private ready: Promise<void>;
  private groupOffsetCommittedAt = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    readonly partition: number,
    private readonly deps: TaskDeps,
    /** The group assignment (GROUP_JOIN count) that created this task. */
    readonly generation: number,
  ) {
    this.log = deps.logger.child({ partition });
    this.ready = this.initialise();
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Shutdown: a task still fencing or restoring gives up now instead of retrying forever. */
  stopInitialising(): void {
    if (this.state !== 'initializing') return;
    this.state = 'closed';
    this.closedBecause = 'shutdown';
  }

  /** Waits until the task is fenced and restored (heartbeating the group meanwhile). */
  async whenReady(heartbeat: () => Promise<void>): Promise<boolean> {
    let settled = false;
    const ready = this.ready.finally(() => (settled = true));
    while (!settled) {
      await Promise.race([ready, sleep(1000)]);
      if (!settled) await heartbeat();
    }
    return this.state === 'ready';
  }

  private async initialise(): Promise<void> {
    const started = Date.now();
    this.busySince = started;
    for (let attempt = 1; this.state === 'initializing'; attempt++) {
      try {
        // Fence before trusting anything: an earlier owner's open transaction is aborted now, and none of
        // its later writes can succeed, so the changelogs read below are final.
        this.writer = await TaskWriter.create(
          this.deps.kafka,
          `${this.deps.applicationId}-${this.partition}`,
          this.deps.transactionTimeoutMs,
        );
        this.store = await TaskStore.open(this.deps.stateDir, this.partition);
        await this.restore();
        if (this.state !== 'initializing') return;
        this.state = 'ready';
        this.deps.metrics.restoreSeconds.observe((Date.now() - started) / 1000);
        this.log.info({ nextOffset: this.nextOffset, ms: Date.now() - started }, 'task ready');
      } catch (error) {
        await this.releaseResources();
        if (this.state !== 'initializing') return;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        this.log.warn(
          { err: describeError(error), attempt, delayMs: delay },
          'task initialisation failed; retrying',
        );
        await sleep(delay);
      }
    }
    this.busySince = null;
  }

  private async restore(): Promise<void> {
    const store = this.store as TaskStore;
    const checkpoint = await store.checkpoint();
    this.changelogOffsets = { ...(checkpoint?.changelogOffsets ?? {}) };
    this.nextOffset = checkpoint?.nextInputOffset ?? null;
    const { poolState, reservations, taskPositions } = this.deps.topics;
    const topics = [poolState, reservations, taskPositions];
    const ranges = topics.map((topic) => ({
      topic,
      partition: this.partition,
      fromOffset: this.changelogOffsets[`${topic}:${this.partition}`] ?? null,
    }));
    let applied = 0;
    const result = await readToEnd(this.deps.kafka, this.deps.applicationId, ranges, async (records) => {
      applied += records.length;
      await this.applyChangelog(records);
    });
    // A checkpoint beyond the end of a changelog means the topics were recreated: the local state
    // belongs to another cluster's history. Drop it and restore from the beginning.
    const stale = ranges.some(
      (r) =>
        r.fromOffset !== null && r.fromOffset > (result.endOffsets.get(`${r.topic}:${r.partition}`) ?? 0),
    );
    if (stale) {
      this.log.warn(
        'local checkpoint is ahead of the changelogs; wiping local state and restoring from the beginning',
      );
      await store.close();
      TaskStore.wipe(this.deps.stateDir, this.partition);
      this.store = await TaskStore.open(this.deps.stateDir, this.partition);
      return this.restore();
    }
    this.deps.metrics.restoreRecords.inc(applied);
    this.log.info({ records: applied, fromCheckpoint: checkpoint !== null }, 'restored from changelogs');
  }

  private async applyChangelog(records: readonly RecordRead[]): Promise<void> {
    const pools = new Map<string, Pool | null>();
    const reservations = new Map<string, Reservation | null>();
    for (const record of records) {
      const key = record.key?.toString() ?? '';
      if (record.topic === this.deps.topics.poolState) {
        pools.set(key, record.value === null ? null : await this.deps.serdes.poolState.decode(record.value));
      } else if (record.topic === this.deps.topics.reservations) {
        reservations.set(
          key,
          record.value === null ? null : await this.deps.serdes.reservation.decode(record.value),
        );
      } else if (record.value !== null) {
        this.nextOffset = (await this.deps.serdes.taskPosition.decode(record.value)).nextOffset;
      }
      this.changelogOffsets[`${record.topic}:${record.partition}`] = record.offset + 1;
    }
    await (this.store as TaskStore).commit(pools, reservations, this.checkpoint());
  }

  private checkpoint(): Checkpoint {
    return { changelogOffsets: { ...this.changelogOffsets }, nextInputOffset: this.nextOffset ?? 0 };
  }

  /** Processes one fetched batch; commits are transactional, see the file header. */
  processBatch(batch: InputBatch, control: BatchControl): Promise<void> {
    const run = this.inFlight.then(() => this.process(batch, control));
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  private async process(batch: InputBatch, control: BatchControl): Promise<void> {
    if (this.state !== 'ready') return;
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return;
    if (this.nextOffset !== null && batch.fetchedOffset > this.nextOffset) {
      // The fetch position is ahead of what this task has applied (e.g. after a failed transaction):
      // go back rather than skip commands. (A first message above nextOffset in a fetch that started at
      // or below it is just a gap in the log: commit markers, aborted or expired records.)
      control.seek(this.nextOffset);
      return;
    }
    // Commands below the recorded position were applied by an earlier transaction (this task's or a
    // previous owner's): skipping them is what makes redelivery exactly-once.
    const pending = batch.messages.filter((m) => this.nextOffset === null || m.offset >= this.nextOffset);
    if (pending.length === 0) {
      control.resolve(last.offset);
      return;
    }
    this.busySince = Date.now();
    try {
      for (
        let i = 0;
        i < pending.length && this.state === 'ready';
        i += this.deps.maxCommandsPerTransaction
      ) {
        if (!control.isCurrent()) return;
        const chunk = pending.slice(i, i + this.deps.maxCommandsPerTransaction);
        await this.processChunk(batch, chunk);
        control.resolve(chunk[chunk.length - 1]!.offset);
        this.deps.metrics.lag.set(
          { partition: String(this.partition) },
          Math.max(0, batch.highWatermark - (this.nextOffset ?? 0)),
        );
      }
    } catch (error) {
      if (isFencingError(error)) {
        this.deps.metrics.fenced.inc();
        this.log.warn(
          { err: describeError(error) },
          'fenced by another instance: this task is a zombie and stops writing',
        );
        await this.close('fenced');
        return;
      }
      // Unknown outcome (e.g. commit timeout): throw the task state away and rebuild it from Kafka, which
      // knows whether the transaction committed. The consumer goes back to the recorded position.
      this.log.error(
        { err: describeError(error) },
        'transaction failed; rebuilding the task from the changelogs',
      );
      await this.releaseResources();
      // Rebuild (which fences) only while still a member: an instance waking from a long pause sees
      // timeouts first and must not fence the partition's new owner. The heartbeat fails if the group
      // has moved on, and the rejoin that follows decides who owns the partition.
      try {
        await control.heartbeat();
      } catch (membership) {
        this.state = 'closed';
        this.closedBecause = 'membership lost';
        throw membership;
      }
      this.state = 'initializing';
      this.ready = this.initialise();
      if (await this.whenReady(control.heartbeat)) {
        if (this.nextOffset !== null) control.seek(this.nextOffset);
      }
    } finally {
      this.busySince = null;
    }
  }

  private async processChunk(batch: InputBatch, chunk: InputBatch['messages']): Promise<void> {
    const { serdes, topics } = this.deps;
    const now = Date.now();
    const overlay = new WriteOverlay(this.store as TaskStore);
    const records: OutRecord[] = [];
    // Decode once, then read every pool and reservation the chunk needs in one RocksDB call.
    const decoded = new Map<Buffer | null, Promise<CommandEnvelope>>();
    for (const message of chunk) {
      const decoding = serdes.command.decode(message.value);
      decoding.catch(() => undefined); // handled in handleCommand; never an unhandled rejection meanwhile
      decoded.set(message.value, decoding);
    }
    const poolIds: string[] = [];
    const reservationIds: string[] = [];
    for (const pending of decoded.values()) {
      const envelope = await pending.catch(() => null);
      if (!envelope) continue;
      const keys = keysOf(envelope);
      if (keys.poolId) poolIds.push(keys.poolId);
      if (keys.reservationId) reservationIds.push(keys.reservationId);
    }
    await overlay.prefetch(poolIds, reservationIds);
    const ctx = {
      partition: this.partition,
      now,
      decodeCommand: (value: Buffer | null) => decoded.get(value) ?? serdes.command.decode(value),
      partitionOfPool: this.deps.partitionOfPool,
    };
    const handled: HandledCommand[] = [];
    for (const message of chunk) {
      const outcome = await handleCommand(message, overlay, ctx);
      handled.push(outcome);
      for (const event of outcome.events) {
        records.push({
          topic: topics.events,
          partition: this.partition,
          key: event.poolId,
          value: serdes.event.encode(event),
        });
      }
      if (outcome.pool) {
        records.push({
          topic: topics.poolState,
          partition: this.partition,
          key: outcome.pool.poolId,
          value: serdes.poolState.encode(outcome.pool),
        });
      }
      for (const reservation of outcome.reservations) {
        records.push({
          topic: topics.reservations,
          partition: this.partition,
          key: reservation.reservationId,
          value: serdes.reservation.encode(reservation),
        });
      }
      if (outcome.result) records.push(this.resultRecord(outcome.result));
      if (outcome.deadLetter) {
        records.push({
          topic: topics.deadLetters,
          partition: this.partition,
          key: message.key,
          value: message.value,
          headers: {
            'capacity-error-code': outcome.deadLetter.code,
            'capacity-error-reason': outcome.deadLetter.reason.slice(0, 1000),
            'capacity-source-topic': batch.topic,
            'capacity-source-partition': String(batch.partition),
            'capacity-source-offset': String(message.offset),
          },
        });
      }
    }
    const nextOffset = chunk[chunk.length - 1]!.offset + 1;
    records.push({
      topic: topics.taskPositions,
      partition: this.partition,
      key: String(this.partition),
      value: serdes.taskPosition.encode({ partition: this.partition, nextOffset, updatedAt: now }),
    });

    const stamped = records.map((r) => ({
      ...r,
      headers: { ...r.headers, 'capacity-writer': this.deps.writerId },
    }));
    const started = process.hrtime.bigint();
    // The group offset is for monitoring and the first fetch position only: correctness rests on the
    // task-position record in every transaction. Committing it at most once a second saves two
    // coordinator round trips (AddOffsetsToTxn, TxnOffsetCommit) in most transactions.
    const commitGroupOffset = now - this.groupOffsetCommittedAt >= GROUP_OFFSET_INTERVAL_MS;
    const written = await (this.writer as TaskWriter).commit(
      stamped,
      commitGroupOffset
        ? { groupId: this.deps.applicationId, topic: batch.topic, partition: this.partition, nextOffset }
        : null,
    );
    if (commitGroupOffset) this.groupOffsetCommittedAt = now;
    this.deps.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    // Kafka has the transaction: only now may the local state move forward.
    for (const [key, offset] of written) this.changelogOffsets[key] = offset;
    this.nextOffset = nextOffset;
    await (this.store as TaskStore).commit(overlay.pools, overlay.reservations, this.checkpoint());

    this.deps.metrics.batchSize.observe(chunk.length);
    for (const outcome of handled) {
      this.deps.metrics.commands.inc({
        type: outcome.commandType ?? 'unknown',
        outcome: outcome.result?.reasonCode ?? (outcome.result ? 'accepted' : 'UNDECODABLE'),
      });
      if (outcome.deadLetter) this.deps.metrics.deadLetters.inc({ code: outcome.deadLetter.code });
    }
  }

  private resultRecord(result: CommandResult): OutRecord {
    // The task's own partition, not the command id's hash: a read_committed reader sees a partition only
    // up to its oldest open transaction, so if every task wrote to every results partition, each result
    // would also wait for other tasks' transactions.
    return {
      topic: this.deps.topics.commandResults,
      partition: this.partition,
      key: result.commandId,
      value: this.deps.serdes.result.encode(result),
    };
  }

  private async releaseResources(): Promise<void> {
    const writer = this.writer;
    const store = this.store;
    this.writer = null;
    this.store = null;
    await writer?.close();
    await store?.close().catch(() => undefined);
  }

  /** Finishes the batch in progress (its transaction commits or aborts), then releases the task. */
  async close(reason: string): Promise<void> {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    this.closedBecause = reason;
    if (wasReady && reason !== 'fenced') await this.inFlight;
    await this.ready.catch(() => undefined);
    await this.releaseResources();
    this.log.info({ reason }, 'task closed');
  }
}
