// One task per owned partition. Protocol (docs/adr/0004-processor-transactions.md):
//   1. position: the group's committed offset, read with require_stable, so no earlier owner's
//      transaction that carries this partition's offset is still pending;
//   2. restore: read the task's changelog partitions from the local checkpoint to the end;
//   3. decide each cycle's commands into an overlay and records; the processor commits every task's
//      records and offsets in one transaction; only then is the overlay written to RocksDB (`applyCommitted`).
import type { LifecycleConfig } from '../config';
import { changelogTopics, type Serdes, type TopicNames } from '../contracts';
import type { CommandEnvelope } from '../domain';
import { describeError } from '../errors';
import type { GroupMember, Kafka, OffsetReader, OutRecord, WrittenOffsets } from '../kafka';
import type { Logger } from '../observability';
import { WriteOverlay, type StoreCounts, type TaskStore } from '../state';
import { handleCommand, keysOf, type HandledCommand, type RawCommand } from './commandHandler';
import { RecentCommands } from './recentCommands';
import type { ProcessorMetrics } from './processorMetrics';
import { expireDue } from './taskExpiry';
import { TaskRecords } from './taskRecords';
import { restoreTask } from './taskRestore';

export interface TaskDeps {
  readonly kafka: Kafka;
  readonly member: GroupMember;
  readonly serdes: Serdes;
  readonly topics: TopicNames;
  readonly applicationId: string;
  readonly stateDir: string;
  /** Watermarks over the processor's one admin connection (restores, takeovers). */
  readonly offsets: OffsetReader;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly partitionOfPool: (poolId: string) => number;
  /** Stamped on every record as the `capacity-writer` header: which instance wrote it (audits, tests). */
  readonly writerId: string;
  /** Booking cut-off and expiry (ADR 12). */
  readonly lifecycle: LifecycleConfig;
}

export type TaskState = 'initializing' | 'ready' | 'closed';

/** What one cycle decided for one task: records to commit, then the overlay to write locally. */
export interface TaskOutput {
  readonly task: PartitionTask;
  readonly records: readonly OutRecord[];
  readonly overlay: WriteOverlay;
  readonly handled: readonly HandledCommand[];
  /** The next input offset once these records are committed; null: no command consumed (a punctuation). */
  readonly nextOffset: number | null;
  /** Ids of the commands decided (remembered once committed, to drop a copy written twice). */
  readonly commandIds: readonly string[];
}

/** Command ids a task remembers: at tens of commands a second per partition, minutes of them. */
const RECENT_COMMANDS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PartitionTask {
  state: TaskState = 'initializing';
  /** The next command offset to process; null = from the start of the partition. */
  nextOffset: number | null = null;
  /** Set while initialising: health reports a task stuck past a bound. */
  busySince: number | null = Date.now();
  /** Why the last initialisation attempt failed, for health. */
  lastError: string | null = null;
  /**
   * Set when the position was below the command partition's log start (retention deleted commands that
   * were never processed): health stays unhealthy with this message until the process restarts.
   */
  lostCommands: string | null = null;
  /** Resolves true once ready, false if the task closed first. */
  readonly ready: Promise<boolean>;
  private store: TaskStore | null = null;
  /** A compaction after an expiry, running in RocksDB's background; the store closes after it. */
  private compaction: Promise<unknown> | null = null;
  private changelogOffsets: Record<string, number> = {};
  private readonly recentCommands = new RecentCommands(RECENT_COMMANDS);
  private readonly log: Logger;
  private readonly records: TaskRecords;

  constructor(
    readonly partition: number,
    private readonly deps: TaskDeps,
  ) {
    this.log = deps.logger.child({ partition });
    this.records = new TaskRecords(partition, deps);
    this.ready = this.initialise();
  }

  private async initialise(): Promise<boolean> {
    const started = Date.now();
    for (let attempt = 1; this.state === 'initializing'; attempt++) {
      try {
        const [committed] = await this.deps.member.consumer.committed(
          [{ topic: this.deps.topics.commands, partition: this.partition }],
          this.deps.kafka.requestTimeoutMs,
        );
        const committedMs = Date.now() - started;
        const restored = await restoreTask(this.deps, this.partition, this.log);
        const restoredMs = Date.now() - started;
        this.store = restored.store;
        if (this.state !== 'initializing') break;
        this.changelogOffsets = restored.changelogOffsets;
        const groupOffset = committed && committed.offset >= 0 ? committed.offset : null;
        // The checkpoint is never ahead of Kafka, so the larger of the two is the position.
        const position = Math.max(groupOffset ?? 0, restored.checkpointedInput);
        this.nextOffset = groupOffset === null && restored.checkpointedInput === 0 ? null : position;
        await this.skipDeletedCommands();
        this.state = 'ready';
        this.busySince = null;
        this.lastError = null;
        this.deps.metrics.restoreRecords.inc(restored.records);
        this.deps.metrics.restoreSeconds.observe((Date.now() - started) / 1000);
        const label = { partition: String(this.partition) };
        this.deps.metrics.takeoverRestoreRecords.set(label, restored.records);
        this.deps.metrics.takeoverRestoreSeconds.set(label, (Date.now() - started) / 1000);
        this.log.info(
          {
            nextOffset: this.nextOffset,
            restoredRecords: restored.records,
            ms: Date.now() - started,
            committedMs,
            restoredMs,
          },
          'task ready',
        );
        return true;
      } catch (error) {
        await this.releaseStore();
        if (this.state !== 'initializing') break;
        this.lastError = describeError(error);
        const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
        this.log.warn(
          { err: this.lastError, attempt, delayMs: delay },
          'task initialisation failed; retrying',
        );
        await sleep(delay);
      }
    }
    await this.releaseStore();
    return false;
  }

  /**
   * A position below the log start (the task was down longer than the command topic's retention) cannot
   * be fetched: seeking there would fail again and again. Those commands are gone, unprocessed and
   * unanswered (their callers timed out long ago); continue from the log start, say so loudly, and report
   * the task unhealthy so an operator sees it.
   */
  private async skipDeletedCommands(): Promise<void> {
    if (this.nextOffset === null) return;
    const { low } = await this.deps.member.consumer.watermarks(this.deps.topics.commands, this.partition);
    if (this.nextOffset >= low) return;
    this.lostCommands =
      `commands at offsets ${this.nextOffset}..${low - 1} of ${this.deps.topics.commands} partition ` +
      `${this.partition} were deleted by retention before they were processed; continuing from ${low}`;
    this.log.error({ from: this.nextOffset, logStart: low }, this.lostCommands);
    this.nextOffset = low;
  }

  /** Decides the task's commands of one cycle (messages in offset order). No Kafka or RocksDB writes. */
  async decide(messages: readonly RawCommand[], now: number): Promise<TaskOutput | null> {
    const pending = messages.filter((m) => this.nextOffset === null || m.offset >= this.nextOffset);
    const last = pending[pending.length - 1];
    if (!last || this.state !== 'ready' || !this.store) return null;
    const { serdes } = this.deps;
    const overlay = new WriteOverlay(this.store);
    const decoded = new Map<Buffer | null, Promise<CommandEnvelope>>();
    for (const message of pending) {
      const decoding = serdes.command.decode(message.value);
      decoding.catch(() => undefined); // handled in handleCommand; never an unhandled rejection meanwhile
      decoded.set(message.value, decoding);
    }
    const poolIds: string[] = [];
    const reservationIds: string[] = [];
    for (const decoding of decoded.values()) {
      const envelope = await decoding.catch(() => null);
      if (!envelope) continue;
      const keys = keysOf(envelope);
      if (keys.poolId) poolIds.push(keys.poolId);
      if (keys.reservationId) reservationIds.push(keys.reservationId);
    }
    await overlay.prefetch(poolIds, reservationIds);
    const ctx = {
      partition: this.partition,
      now,
      rules: this.deps.lifecycle,
      decodeCommand: (value: Buffer | null) => decoded.get(value) ?? serdes.command.decode(value),
      partitionOfPool: this.deps.partitionOfPool,
    };
    const records: OutRecord[] = [];
    const handled: HandledCommand[] = [];
    const commandIds = new Set<string>();
    for (const message of pending) {
      const commandId = (await ctx.decodeCommand(message.value).catch(() => null))?.commandId;
      if (commandId !== undefined) {
        if (this.recentCommands.has(commandId) || commandIds.has(commandId)) {
          this.log.warn({ commandId, offset: message.offset }, 'command written twice: the copy is dropped');
          continue;
        }
        commandIds.add(commandId);
      }
      const outcome = await handleCommand(message, overlay, ctx);
      handled.push(outcome);
      for (const event of outcome.events) records.push(this.records.event(event));
      if (outcome.result) records.push(this.records.result(outcome.result));
      if (outcome.deadLetter) records.push(this.records.deadLetter(message, outcome.deadLetter));
    }
    records.push(...this.records.changelogs(overlay));
    return {
      task: this,
      records,
      overlay,
      handled,
      nextOffset: last.offset + 1,
      commandIds: [...commandIds],
    };
  }

  /**
   * The task's punctuation (wall-clock, ADR 12): expires the pools whose slot ended `expireAfterMs` ago
   * and drops markers past their retention, as records of one transaction like any cycle's. Null when
   * nothing is due.
   */
  async punctuate(now: number): Promise<TaskOutput | null> {
    if (this.state !== 'ready' || !this.store) return null;
    const overlay = new WriteOverlay(this.store);
    const { events } = await expireDue(this.store, overlay, now, this.deps.lifecycle);
    if (overlay.size === 0) return null;
    const records = [...events.map((e) => this.records.event(e)), ...this.records.changelogs(overlay)];
    if (events.length > 0) this.log.info({ pools: events.map((e) => e.poolId) }, 'pools expired');
    return { task: this, records, overlay, handled: [], nextOffset: null, commandIds: [] };
  }

  /** What the task's store holds (null while it has none). */
  async storedEntries(): Promise<StoreCounts | null> {
    return this.state === 'ready' && this.store ? this.store.counts() : null;
  }

  /** Kafka has the cycle's transaction: only now may the local state move forward. */
  async applyCommitted(output: TaskOutput, written: WrittenOffsets): Promise<void> {
    for (const topic of changelogTopics(this.deps.topics)) {
      const key = `${topic}:${this.partition}`;
      const offset = written.get(key);
      if (offset !== undefined) this.changelogOffsets[key] = offset;
    }
    if (output.nextOffset !== null) this.nextOffset = output.nextOffset;
    this.recentCommands.add(output.commandIds);
    if (!this.store) return;
    await this.store.commit(output.overlay, {
      changelogOffsets: { ...this.changelogOffsets },
      nextInputOffset: this.nextOffset ?? 0,
    });
    // An expiry deleted a batch of entries: have RocksDB drop them from disk now, in the background.
    if (output.nextOffset === null && output.overlay.pools.size > 0 && !this.compaction) {
      const store = this.store;
      this.compaction = store
        .compact()
        .catch((error) => this.log.warn({ err: describeError(error) }, 'compaction failed'))
        .finally(() => (this.compaction = null));
    }
  }

  private async releaseStore(): Promise<void> {
    const store = this.store;
    this.store = null;
    await this.compaction;
    await store?.close().catch(() => undefined);
  }

  /**
   * Releases the task. A task still initialising gives up at its next step and releases its store itself,
   * so revoking it never holds up the processor's loop (await `ready` to know when it has).
   */
  async close(reason: string): Promise<void> {
    if (this.state === 'closed') return;
    const initialising = this.state === 'initializing';
    this.state = 'closed';
    if (!initialising) await this.releaseStore();
    this.log.info({ reason }, 'task closed');
  }
}
