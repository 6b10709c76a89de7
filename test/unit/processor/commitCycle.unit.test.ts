// The commit cycle without a broker: every ready task's records and offsets go into ONE transaction, the
// local state moves only after that transaction committed, and the time bound defers whole tasks.
import type { GroupMember, OutRecord, TransactionalWriter } from '../../../src/kafka';
import {
  ProcessorMetrics,
  runCycle,
  runPunctuation,
  type PartitionTask,
  type TaskOutput,
} from '../../../src/processor';
import { WriteOverlay } from '../../../src/state';

const TOPIC = 'app.commands';
const NOW = 1_800_000_000_000;

function fakeTask(partition: number, decideMs = 0) {
  const task = {
    partition,
    applied: [] as Array<ReadonlyMap<string, number>>,
    decide: jest.fn(async (messages: ReadonlyArray<{ offset: number }>): Promise<TaskOutput> => {
      if (decideMs > 0) await new Promise((r) => setTimeout(r, decideMs));
      const records: OutRecord[] = messages.map((m) => ({
        topic: 'app.events',
        partition,
        key: `k${m.offset}`,
        value: Buffer.from('e'),
      }));
      return {
        task: task as unknown as PartitionTask,
        records,
        overlay: new WriteOverlay(null as never),
        handled: messages.map(() => ({
          commandType: 'ReserveCapacity',
          result: null,
          events: [],
          pool: null,
          reservations: [],
          deadLetter: null,
        })),
        nextOffset: (messages[messages.length - 1]?.offset ?? 0) + 1,
        commandIds: messages.map((m) => `c${m.offset}`),
      };
    }),
    applyCommitted: jest.fn(async (_output: TaskOutput, written: ReadonlyMap<string, number>) => {
      task.applied.push(written);
    }),
  };
  return task;
}

const commands = (...offsets: number[]) =>
  offsets.map((offset) => ({ offset, key: null, value: null, headers: {} }));

function deps(commit: jest.Mock, maxCycleMs = 1000) {
  return {
    writer: { commit } as unknown as TransactionalWriter,
    member: { consumer: {} } as unknown as GroupMember,
    now: () => NOW,
    commandTopic: TOPIC,
    metrics: new ProcessorMetrics(),
    maxCycleMs,
  };
}

test('one transaction carries every task’s records and consumed offsets; then each task applies it', async () => {
  const a = fakeTask(0);
  const b = fakeTask(3);
  const written = new Map([['app.events:0', 12]]);
  const commit = jest.fn(async () => written);
  const work = new Map([
    [a as unknown as PartitionTask, commands(10, 11)],
    [b as unknown as PartitionTask, commands(7)],
  ]);
  const report = await runCycle(work, deps(commit));

  expect(commit).toHaveBeenCalledTimes(1);
  const [records, consumed] = commit.mock.calls[0] as unknown as [OutRecord[], unknown[]];
  expect(records.map((r) => `${r.partition}:${String(r.key)}`)).toEqual(['0:k10', '0:k11', '3:k7']);
  expect(consumed).toEqual([
    { topic: TOPIC, partition: 0, nextOffset: 12 },
    { topic: TOPIC, partition: 3, nextOffset: 8 },
  ]);
  expect(a.applied).toEqual([written]);
  expect(b.applied).toEqual([written]);
  expect(report).toEqual({ commands: 3, deferred: [] });
});

test('a failed transaction leaves every task’s local state where it was (RocksDB never ahead of Kafka)', async () => {
  const a = fakeTask(0);
  const b = fakeTask(1);
  const commit = jest.fn(async () => {
    throw new Error('commit failed');
  });
  const work = new Map([
    [a as unknown as PartitionTask, commands(1)],
    [b as unknown as PartitionTask, commands(2)],
  ]);
  await expect(runCycle(work, deps(commit))).rejects.toThrow('commit failed');
  expect(a.applyCommitted).not.toHaveBeenCalled();
  expect(b.applyCommitted).not.toHaveBeenCalled();
});

test('past the cycle time bound the remaining tasks are deferred whole, not split', async () => {
  const slow = fakeTask(0, 30);
  const next = fakeTask(1);
  const commit = jest.fn(async () => new Map<string, number>());
  const work = new Map([
    [slow as unknown as PartitionTask, commands(1, 2)],
    [next as unknown as PartitionTask, commands(5)],
  ]);
  const report = await runCycle(work, deps(commit, 10));
  expect(next.decide).not.toHaveBeenCalled();
  expect(report.deferred).toEqual([next]);
  const [, consumed] = commit.mock.calls[0] as unknown as [OutRecord[], unknown[]];
  expect(consumed).toEqual([{ topic: TOPIC, partition: 0, nextOffset: 3 }]);
});

test('nothing to decide commits nothing', async () => {
  const commit = jest.fn();
  expect(await runCycle(new Map(), deps(commit))).toEqual({ commands: 0, deferred: [] });
  expect(commit).not.toHaveBeenCalled();
});

test('the cycle decides with the processor clock it is given', async () => {
  const a = fakeTask(0);
  await runCycle(
    new Map([[a as unknown as PartitionTask, commands(1)]]),
    deps(jest.fn(async () => new Map())),
  );
  expect(a.decide).toHaveBeenCalledWith(expect.anything(), NOW);
});

describe('punctuation', () => {
  /** A task whose punctuation expires the given pools (an overlay deleting them), or has nothing due. */
  function punctuating(partition: number, expires: string[]) {
    const task = {
      partition,
      punctuate: jest.fn(async (): Promise<TaskOutput | null> => {
        if (expires.length === 0) return null;
        const overlay = new WriteOverlay(null as never);
        for (const poolId of expires) overlay.pools.set(poolId, null);
        const records = expires.map((poolId) => ({
          topic: 'app.events',
          partition,
          key: poolId,
          value: Buffer.from('x'),
        }));
        return {
          task: task as unknown as PartitionTask,
          records,
          overlay,
          handled: [],
          nextOffset: null,
          commandIds: [],
        };
      }),
      applyCommitted: jest.fn(async () => undefined),
    };
    return task;
  }

  test("every task's expiries go into one transaction with no consumed offsets, at the processor's time", async () => {
    const a = punctuating(0, ['p1', 'p2']);
    const idle = punctuating(1, []);
    const b = punctuating(2, ['p3']);
    const commit = jest.fn(async () => new Map());
    const tasks = [a, idle, b] as unknown as PartitionTask[];
    expect(await runPunctuation(tasks, deps(commit))).toBe(3);
    expect(commit).toHaveBeenCalledTimes(1);
    const [records, consumed] = commit.mock.calls[0] as unknown as [OutRecord[], unknown[]];
    expect(records.map((r) => r.key)).toEqual(['p1', 'p2', 'p3']);
    expect(consumed).toEqual([]);
    for (const task of [a, idle, b]) expect(task.punctuate).toHaveBeenCalledWith(NOW);
    expect(a.applyCommitted).toHaveBeenCalledTimes(1);
    expect(idle.applyCommitted).not.toHaveBeenCalled();
  });

  test('nothing due: no transaction at all', async () => {
    const commit = jest.fn();
    const tasks = [punctuating(0, [])] as unknown as PartitionTask[];
    expect(await runPunctuation(tasks, deps(commit))).toBe(0);
    expect(commit).not.toHaveBeenCalled();
  });

  test('a failed commit leaves local state as it was', async () => {
    const a = punctuating(0, ['p1']);
    const commit = jest.fn(async () => {
      throw new Error('aborted');
    });
    await expect(runPunctuation([a] as unknown as PartitionTask[], deps(commit))).rejects.toThrow('aborted');
    expect(a.applyCommitted).not.toHaveBeenCalled();
  });
});
