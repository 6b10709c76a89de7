// What /healthz and the lag gauge say about a processor's tasks: every owned partition, ready or not.
import type { GroupMember } from '../kafka';
import type { HealthReport } from '../observability';
import type { PartitionTask } from './partitionTask';
import type { ProcessorMetrics } from './processorMetrics';

export interface HealthState {
  /** A task initialising longer than this, or cycles failing for longer, is unhealthy. */
  readonly stuckAfterMs: number;
  readonly failingSince: number | null;
  readonly lastFailure: string | null;
  /** Started, and not stopping. */
  readonly running: boolean;
}

export function healthReport(tasks: readonly PartitionTask[], state: HealthState): HealthReport {
  const now = Date.now();
  const views = tasks.map((t) => ({
    partition: t.partition,
    state: t.state,
    nextOffset: t.nextOffset,
    busyMs: t.busySince === null ? 0 : now - t.busySince,
    ...(t.lastError ? { lastError: t.lastError } : {}),
    ...(t.lostCommands ? { lostCommands: t.lostCommands } : {}),
  }));
  const stuck = views.filter((t) => t.busyMs > state.stuckAfterMs).map((t) => t.partition);
  const lostCommands = views.filter((t) => t.lostCommands !== undefined).map((t) => t.partition);
  const failingMs = state.failingSince === null ? 0 : now - state.failingSince;
  return {
    healthy:
      stuck.length === 0 && lostCommands.length === 0 && failingMs <= state.stuckAfterMs && state.running,
    stuck,
    ...(lostCommands.length > 0 ? { lostCommands } : {}),
    failingMs,
    ...(state.failingSince !== null ? { lastFailure: state.lastFailure } : {}),
    tasks: views,
  };
}

/**
 * Lag per owned partition, ready or not. A paused partition (its task is initialising) is not fetched, so
 * its end offset is asked of the broker; an unknown position counts from the start of the partition.
 */
export function updateLag(
  tasks: ReadonlyMap<number, PartitionTask>,
  member: GroupMember,
  topic: string,
  metrics: ProcessorMetrics,
): void {
  for (const task of tasks.values()) {
    const set = (high: number) => {
      if (tasks.get(task.partition) !== task) return;
      metrics.lag.set({ partition: String(task.partition) }, Math.max(0, high - (task.nextOffset ?? 0)));
    };
    const cached = task.state === 'ready' ? member.consumer.cachedHighWatermark(topic, task.partition) : null;
    if (cached !== null) set(cached);
    else
      void member.consumer
        .watermarks(topic, task.partition)
        .then(({ high }) => set(high))
        .catch(() => undefined);
  }
}
