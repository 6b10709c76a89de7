// One processing cycle (exactly-once v2): decide every ready task's fetched commands, then ONE transaction
// with all their records and consumed offsets (sent with the consumer's group metadata), then each task's
// overlay and checkpoint to RocksDB. Bounded by commands (the fetch size) and by time (`maxCycleMs`: tasks
// not reached in time keep their commands for the next cycle). A punctuation (expiry) is a cycle with no
// commands: the same transaction and the same local write, driven by the wall clock.
import type { GroupMember, TransactionalWriter } from '../kafka';
import type { PartitionTask, TaskOutput } from './partitionTask';
import type { RawCommand } from './commandHandler';
import type { ProcessorMetrics } from './processorMetrics';

export interface CycleDeps {
  readonly writer: TransactionalWriter;
  /** The processor's clock: the time stamped on the cycle's commands, events and results. */
  readonly now: () => number;
  readonly member: GroupMember;
  readonly commandTopic: string;
  readonly metrics: ProcessorMetrics;
  readonly maxCycleMs: number;
}

export interface CycleReport {
  readonly commands: number;
  /** Tasks whose commands were left for the next cycle (time bound): their fetch position must go back. */
  readonly deferred: readonly PartitionTask[];
}

export async function runCycle(
  work: ReadonlyMap<PartitionTask, readonly RawCommand[]>,
  deps: CycleDeps,
): Promise<CycleReport> {
  const started = Date.now();
  const now = deps.now();
  const outputs: TaskOutput[] = [];
  const deferred: PartitionTask[] = [];
  for (const [task, messages] of work) {
    if (Date.now() - started > deps.maxCycleMs && outputs.length > 0) {
      deferred.push(task);
      continue;
    }
    const output = await task.decide(messages, now);
    if (output) outputs.push(output);
  }
  if (outputs.length === 0) return { commands: 0, deferred };
  await commitOutputs(outputs, deps);

  let commands = 0;
  for (const output of outputs) {
    commands += output.handled.length;
    for (const outcome of output.handled) {
      deps.metrics.commands.inc({
        type: outcome.commandType ?? 'unknown',
        outcome: outcome.result?.reasonCode ?? (outcome.result ? 'accepted' : 'UNDECODABLE'),
      });
      if (outcome.deadLetter) deps.metrics.deadLetters.inc({ code: outcome.deadLetter.code });
    }
  }
  deps.metrics.batchSize.observe(commands);
  deps.metrics.tasksPerCycle.observe(outputs.length);
  deps.metrics.cycleSeconds.observe((Date.now() - started) / 1000);
  return { commands, deferred };
}

/**
 * A punctuation (ADR 12): every ready task's due expiries in one transaction, with no consumed offsets.
 * Returns how many pools were expired.
 */
export async function runPunctuation(tasks: Iterable<PartitionTask>, deps: CycleDeps): Promise<number> {
  const now = deps.now();
  const outputs: TaskOutput[] = [];
  for (const task of tasks) {
    const output = await task.punctuate(now);
    if (output) outputs.push(output);
  }
  if (outputs.length > 0) await commitOutputs(outputs, deps);
  // A punctuation's overlay holds pools only to delete them: one per expired pool.
  const expired = outputs.reduce((n, o) => n + o.overlay.pools.size, 0);
  deps.metrics.poolsExpired.inc(expired);
  return expired;
}

/** One transaction with every output's records and consumed offsets, then each task's local state. */
async function commitOutputs(outputs: readonly TaskOutput[], deps: CycleDeps): Promise<void> {
  const records = outputs.flatMap((o) => o.records);
  const consumed = outputs.flatMap((o) =>
    o.nextOffset === null
      ? []
      : [{ topic: deps.commandTopic, partition: o.task.partition, nextOffset: o.nextOffset }],
  );
  const commitStarted = process.hrtime.bigint();
  const written = await deps.writer.commit(records, consumed, deps.member.consumer);
  deps.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - commitStarted) / 1e9);
  await Promise.all(outputs.map((o) => o.task.applyCommitted(o, written)));
}
