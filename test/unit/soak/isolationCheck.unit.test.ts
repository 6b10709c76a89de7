import { checkIsolation } from '../../../bench/soak/isolationCheck';
import type { JournalEvent } from '../../../bench/soak/journalView';
import type { Event } from '../../../src/domain';

const at = (partition: number, offset: number, writer: string, occurredAt: number): JournalEvent => ({
  partition,
  offset,
  writer,
  envelope: {
    poolId: `pool-${partition}`,
    version: offset + 1,
    commandId: `c${offset}`,
    occurredAt,
    event: { type: 'CapacityReserved', reservationId: 'r', requestId: 'k', units: 1 } as Event,
  },
});
const cut = { writer: 'h/1', cutAt: 10_000, healedAt: 20_000 };

test('the isolated writer before the cut and after the heal, the new owner during it: no violation', () => {
  const events = [
    at(0, 0, 'h/1', 9_000),
    at(0, 1, 'h/2', 12_000),
    at(0, 2, 'h/1', 25_000),
    at(1, 0, 'h/1', 10_100),
  ];
  expect(checkIsolation(events, [cut])).toEqual({ violations: [], takeovers: [1] });
});

test('an event the isolated writer stamped during the cut is split brain', () => {
  const { violations } = checkIsolation([at(0, 0, 'h/1', 15_000)], [cut]);
  expect(violations).toHaveLength(1);
  expect(violations[0]).toContain('h/1 was cut off, yet its event pool-0 v1');
});

test("the zombie's late commit after the new owner's records is split brain", () => {
  const { violations } = checkIsolation([at(0, 0, 'h/2', 12_000), at(0, 1, 'h/1', 9_900)], [cut]);
  expect(violations).toEqual([
    "h/1 committed pool-0 v2 (stamped before the heal) after the new owner's records on partition 0 (offset 1 > 0)",
  ]);
});

test('a cut of a writer that owned partitions, with no takeover during it, proves nothing: a violation', () => {
  const events = [at(0, 0, 'h/1', 9_000), at(0, 1, 'h/1', 21_000)];
  expect(checkIsolation(events, [cut])).toEqual({
    violations: [
      'h/1 wrote to partitions 0 before its cut, but no other writer took any of them over during the cut',
    ],
    takeovers: [0],
  });
});
