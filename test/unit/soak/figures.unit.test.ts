import { computeFigures } from '../../../bench/soak/figures';
import type { FaultRecord } from '../../../bench/soak/faults';
import type { Attempt } from '../../../bench/soak/workload';

const attempt = (dueAt: number, outcome: Attempt['outcome'], op: Attempt['op'] = 'reserve'): Attempt => ({
  gateway: 0,
  op,
  key: `k${dueAt}`,
  poolId: 'p',
  reservationId: null,
  retry: 0,
  dueAt,
  endAt: dueAt + 10,
  outcome,
  code: null,
});
const fault = (kind: FaultRecord['kind'], startedAt: number, endedAt: number): FaultRecord => ({
  kind,
  target: 'x',
  startedAt,
  endedAt,
  recoveredAt: endedAt,
  startedWall: 0,
  endedWall: 0,
});

test('unavailability: the longest wait from a request until it or a later one got a definite answer, charged to the fault under way', () => {
  const attempts = [
    attempt(0, 201),
    attempt(1000, 'timeout'),
    attempt(2000, 503),
    attempt(3500, 201),
    attempt(60_000, 'error'),
    attempt(60_500, 409),
  ];
  const figures = computeFigures(attempts, [fault('processor-kill9', 900, 1500)], () => 3);
  expect(figures.unavailability).toEqual({
    'processor-kill9': { ms: 2510, where: 'g0 writes to partition 3' },
    'no fault': { ms: 510, where: 'g0 writes to partition 3' },
  });
  expect(figures.outcomes.reserve).toEqual({ '201': 2, timeout: 1, '503': 1, error: 1, '409': 1 });
  expect(figures.latencyMs.reserve).toEqual({ count: 3, p50: 10, p99: 10, max: 10 });
  expect(figures.faultsByKind).toEqual({ 'processor-kill9': 1 });
});

test('a slow answer is unavailability too, and each class is judged on its own', () => {
  const slow = { ...attempt(1000, 201), endAt: 5000 };
  const read = { ...attempt(1200, 'error', 'read'), endAt: 1300 };
  const figures = computeFigures([slow, attempt(2000, 201), read, attempt(9000, 200, 'read')], [], () => 0);
  expect(figures.unavailability['no fault']).toEqual({ ms: 7810, where: 'g0 reads' });
  // The request due at 1000 is answered at 5000, but the one due at 2000 already at 2010.
  const writesOnly = computeFigures([slow, attempt(2000, 201)], [], () => 0);
  expect(writesOnly.unavailability['no fault']).toEqual({ ms: 1010, where: 'g0 writes to partition 0' });
});
