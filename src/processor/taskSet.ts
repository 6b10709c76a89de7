// The partition tasks an instance owns, kept in step with the group: rebalance events start and close
// tasks (a partition's standby copy is released first, so its task restores from it), a ready task's
// partition is resumed at its position (a failed seek is retried with backoff, never in the loop).
import { describeError } from '../errors';
import { recordOf, type GroupMember, type Message, type RebalanceEvent } from '../kafka';
import type { Logger } from '../observability';
import type { StoreCounts } from '../state';
import type { RawCommand } from './commandHandler';
import { PartitionTask, type TaskDeps } from './partitionTask';
import type { StandbyReplicas } from './standbyReplicas';

/** What one round of rebalance events changed. */
export interface Handover {
  readonly assigned: readonly number[];
  readonly revoked: readonly number[];
}

export class TaskSet {
  private readonly tasks = new Map<number, PartitionTask>();
  /** Owned partitions, including those whose task is not started yet (standby copy being released). */
  private readonly claimed = new Set<number>();
  private closed = false;
  /** While set, no partition is resumed (the instance has no producer). */
  private held: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    private readonly deps: TaskDeps,
    private readonly standbys: StandbyReplicas,
  ) {
    this.log = deps.logger;
  }

  /** The tasks by partition (read-only view for health and lag). */
  get byPartition(): ReadonlyMap<number, PartitionTask> {
    return this.tasks;
  }

  /** Partitions this instance owns: a standby must never open them. */
  get owned(): ReadonlySet<number> {
    return this.claimed;
  }

  /** Applies the member's rebalance events, then gives up revoked partitions (their work is committed). */
  async applyRebalances(member: GroupMember): Promise<Handover> {
    const assigned: number[] = [];
    const revoked: number[] = [];
    for (const event of member.takeEvents()) {
      if (event.kind === 'assigned') {
        await this.assign(event.partitions);
        assigned.push(...event.partitions);
      } else {
        await this.revoke(event);
        revoked.push(...event.partitions);
      }
    }
    member.completeRevocations();
    this.deps.metrics.tasksOwned.set(this.tasks.size);
    return { assigned, revoked };
  }

  private async assign(partitions: readonly number[]): Promise<void> {
    for (const partition of partitions) this.claimed.add(partition);
    // A standby copy becomes the task's store: it is closed before the task opens it.
    await this.standbys.release(partitions);
    for (const partition of partitions) this.startTask(partition);
    this.log.info({ partitions }, 'partitions assigned');
  }

  private async revoke(event: Extract<RebalanceEvent, { kind: 'revoked' }>): Promise<void> {
    for (const partition of event.partitions) {
      const task = this.tasks.get(partition);
      this.tasks.delete(partition);
      this.claimed.delete(partition);
      this.deps.metrics.lag.remove({ partition: String(partition) });
      await task?.close(event.lost ? 'lost' : 'revoked');
    }
    this.log.info({ partitions: event.partitions, lost: event.lost }, 'partitions revoked');
  }

  /** The fetched commands of ready tasks, by task, in offset order. Others' fetches are dropped. */
  readyWork(messages: readonly Message[]): Map<PartitionTask, RawCommand[]> {
    const work = new Map<PartitionTask, RawCommand[]>();
    for (const m of messages) {
      const task = this.tasks.get(m.partition);
      if (!task || task.state !== 'ready' || m.topic !== this.deps.topics.commands) continue;
      let list = work.get(task);
      if (!list) work.set(task, (list = []));
      list.push(recordOf(m));
    }
    return work;
  }

  /** A new task: its partition stays paused until the task is ready, then fetching starts at its position. */
  private startTask(partition: number): void {
    void this.tasks.get(partition)?.close('replaced');
    const task = new PartitionTask(partition, this.deps);
    this.tasks.set(partition, task);
    void task.ready.then((ready) =>
      ready && this.tasks.get(partition) === task ? this.reposition(task) : undefined,
    );
  }

  /** Keeps every partition paused until `until` settles (tasks that become ready meanwhile wait). */
  holdUntil(until: Promise<void>): void {
    const held = until.catch(() => undefined);
    this.held = held;
    void held.then(() => {
      if (this.held === held) this.held = null;
    });
  }

  /**
   * Fetching of the task's partition starts again at its next offset (after a deferral or an abort). A
   * seek that fails is tried again later, with backoff, in the background: the task's store is fine, and
   * the loop must not wait (every other partition would stall).
   */
  async reposition(task: PartitionTask, attempt = 1): Promise<void> {
    while (this.held) await this.held;
    if (this.tasks.get(task.partition) !== task) return; // revoked meanwhile
    try {
      const started = Date.now();
      await this.deps.member.resumeAt(task.partition, task.nextOffset);
      this.log.debug({ partition: task.partition, ms: Date.now() - started }, 'partition resumed');
    } catch (error) {
      if (this.closed || this.tasks.get(task.partition) !== task) return;
      const delayMs = Math.min(5000, 50 * 2 ** Math.min(attempt, 7));
      this.log.warn(
        { partition: task.partition, err: describeError(error), attempt, delayMs },
        'seek failed; retrying',
      );
      setTimeout(() => void this.reposition(task, attempt + 1), delayMs).unref();
    }
  }

  /** Entries in the owned tasks' stores, summed (the bounded-state gauge). */
  async storedEntries(): Promise<StoreCounts> {
    const total = { pools: 0, reservations: 0, markers: 0 };
    for (const task of this.tasks.values()) {
      const counts = await task.storedEntries();
      if (!counts) continue;
      total.pools += counts.pools;
      total.reservations += counts.reservations;
      total.markers += counts.markers;
    }
    return total;
  }

  /** Restores every task again from Kafka (after a transaction whose outcome is unknown). */
  rebuildAll(): void {
    for (const task of [...this.tasks.values()]) this.rebuild(task);
  }

  private rebuild(task: PartitionTask): void {
    if (this.closed || this.tasks.get(task.partition) !== task) return;
    this.deps.member.pause([task.partition]);
    this.startTask(task.partition);
  }

  /** Closes every task; waits (at most `waitMs`) for initialising ones to release their stores. */
  async closeAll(waitMs: number): Promise<void> {
    this.closed = true;
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    this.claimed.clear();
    await Promise.all(tasks.map((t) => t.close('shutdown')));
    await Promise.race([
      Promise.all(tasks.map((t) => t.ready)),
      new Promise((resolve) => setTimeout(resolve, waitMs)),
    ]);
  }
}
