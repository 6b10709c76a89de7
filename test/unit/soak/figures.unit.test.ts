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

test('unavailability runs from the first request without an answer to the next one answered, charged to the fault', () => {
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
    'processor-kill9': { ms: 2500, where: 'g0 writes to partition 3' },
    'no fault': { ms: 500, where: 'g0 writes to partition 3' },
  });
  expect(figures.outcomes.reserve).toEqual({ '201': 2, timeout: 1, '503': 1, error: 1, '409': 1 });
  expect(figures.latencyMs.reserve).toEqual({ count: 3, p50: 10, p99: 10, max: 10 });
  expect(figures.faultsByKind).toEqual({ 'processor-kill9': 1 });
});
