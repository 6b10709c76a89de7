import { checkLedger } from '../../../bench/soak/ledgerCheck';
import type { JournalEvent, JournalView } from '../../../bench/soak/journalView';
import type { Attempt } from '../../../bench/soak/workload';
import type { Event, Reservation } from '../../../src/domain';

let version = 0;
const event = (e: Event): JournalEvent => ({
  partition: 0,
  offset: version,
  writer: 'h/1',
  envelope: { poolId: 'p', version: ++version, commandId: `c${version}`, occurredAt: version, event: e },
});
const reserved = (reservationId: string, requestId: string) =>
  event({ type: 'CapacityReserved', reservationId, requestId, units: 1 } as Event);
const released = (reservationId: string) =>
  event({ type: 'CapacityReleased', reservationId, units: 1 } as Event);
const reservation = (reservationId: string, status: 'reserved' | 'released'): Reservation => ({
  reservationId,
  poolId: 'p',
  units: 1,
  status,
  requestId: 'k',
  createdAt: 0,
  releasedAt: null,
});
const view = (events: JournalEvent[], statuses: Record<string, 'reserved' | 'released'>): JournalView => ({
  events,
  pools: new Map(),
  reservations: new Map(Object.entries(statuses).map(([id, s]) => [id, reservation(id, s)])),
});
const attempt = (
  op: 'reserve' | 'release',
  key: string,
  outcome: Attempt['outcome'],
  reservationId: string | null,
  code: string | null = null,
): Attempt => ({
  gateway: 0,
  op,
  key,
  poolId: 'p',
  reservationId,
  retry: 0,
  dueAt: 0,
  endAt: 1,
  outcome,
  code,
});

test('a reservation answered 201 and one released with 200, as the journal holds them: no violation', () => {
  const journal = view([reserved('p:1', 'k1'), reserved('p:2', 'k2'), released('p:2')], {
    'p:1': 'reserved',
    'p:2': 'released',
  });
  const result = checkLedger(
    [
      attempt('reserve', 'k1', 201, 'p:1'),
      attempt('reserve', 'k2', 201, 'p:2'),
      attempt('release', 'x1', 200, 'p:2'),
    ],
    journal,
  );
  expect(result.violations).toEqual([]);
  expect(result.figures).toEqual({ reservationsAnswered: 2, releasesAnswered: 1, appliedWithoutAnswer: 0 });
});

test('a 201 the journal does not hold, and a key reserved twice, are violations', () => {
  const journal = view([reserved('p:2', 'k2'), reserved('p:3', 'k2')], {
    'p:2': 'reserved',
    'p:3': 'reserved',
  });
  const result = checkLedger(
    [attempt('reserve', 'k1', 201, 'p:1'), attempt('reserve', 'k2', 201, 'p:2')],
    journal,
  );
  expect(result.violations).toEqual([
    'key k2: 2 reservations in the journal (p:2, p:3)',
    'reservation p:1 (answered to k1): not in the journal',
    'reservation p:1: nothing in the reservations changelog',
  ]);
});

test('a timed-out reserve answered by its retry must be the same reservation; a refused one must leave nothing', () => {
  const journal = view([reserved('p:1', 'k1'), reserved('p:9', 'k2')], {
    'p:1': 'reserved',
    'p:9': 'reserved',
  });
  const result = checkLedger(
    [
      attempt('reserve', 'k1', 'timeout', null),
      { ...attempt('reserve', 'k1', 200, 'p:1'), retry: 1 },
      attempt('reserve', 'k2', 409, null, 'INSUFFICIENT_CAPACITY'),
      attempt('reserve', 'k3', 504, null),
    ],
    journal,
  );
  expect(result.violations).toEqual([
    'key k2: refused 409 INSUFFICIENT_CAPACITY but reserved in the journal as p:9',
  ]);
});

test('a release answered 200 that did not happen, and a release nobody asked for, are violations', () => {
  const journal = view([reserved('p:1', 'k1'), reserved('p:2', 'k2'), released('p:2')], {
    'p:1': 'reserved',
    'p:2': 'released',
  });
  const result = checkLedger(
    [
      attempt('reserve', 'k1', 201, 'p:1'),
      attempt('reserve', 'k2', 201, 'p:2'),
      attempt('release', 'x1', 200, 'p:1'),
    ],
    journal,
  );
  expect(result.violations).toEqual([
    'reservation p:1: release answered 200, but the changelog says reserved (0 releases in the journal)',
    'reservation p:2: never released by the client, but the changelog says released',
  ]);
});

test('a release without a definite answer allows either state; a refused release is a violation', () => {
  const journal = view([reserved('p:1', 'k1'), reserved('p:2', 'k2')], {
    'p:1': 'reserved',
    'p:2': 'reserved',
  });
  const result = checkLedger(
    [
      attempt('reserve', 'k1', 201, 'p:1'),
      attempt('reserve', 'k2', 201, 'p:2'),
      attempt('release', 'x1', 'error', 'p:1'),
      attempt('release', 'x2', 404, 'p:2', 'RESERVATION_NOT_FOUND'),
    ],
    journal,
  );
  expect(result.violations).toEqual(['reservation p:2: its release was refused 404 RESERVATION_NOT_FOUND']);
});
