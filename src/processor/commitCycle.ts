// One processing cycle (exactly-once v2): decide every ready task's fetched commands, then ONE transaction
// with all their records and consumed offsets (sent with the consumer's group metadata), then each task's
// overlay and checkpoint to RocksDB. Bounded by commands (the fetch size) and by time (`maxCycleMs`: tasks
// not reached in time keep their commands for the next cycle).
import type { GroupMember, TransactionalWriter } from '../kafka';
import type { PartitionTask, TaskOutput } from './partitionTask';
import type { RawCommand } from './commandHandler';
import type { ProcessorMetrics } from './processorMetrics';

export interface CycleDeps {
  readonly writer: TransactionalWriter;
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
  const outputs: TaskOutput[] = [];
  const deferred: PartitionTask[] = [];
  for (const [task, messages] of work) {
    if (Date.now() - started > deps.maxCycleMs && outputs.length > 0) {
      deferred.push(task);
      continue;
    }
    const output = await task.decide(messages, started);
    if (output) outputs.push(output);
  }
  if (outputs.length === 0) return { commands: 0, deferred };

  const records = outputs.flatMap((o) => o.records);
  const consumed = outputs.map((o) => ({
    topic: deps.commandTopic,
    partition: o.task.partition,
    nextOffset: o.nextOffset,
  }));
  const commitStarted = process.hrtime.bigint();
  const written = await deps.writer.commit(records, consumed, deps.member.consumer);
  deps.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - commitStarted) / 1e9);
  await Promise.all(outputs.map((o) => o.task.applyCommitted(o, written)));

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
