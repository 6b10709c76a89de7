// A task's punctuation over a real RocksDB store: which pools are due, what the overlay then holds, and
// when markers are forgotten (ADR 12).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleConfig } from '../../../src/config';
import { reservationIdFor } from '../../../src/domain';
import { expireDue } from '../../../src/processor';
import { TaskStore, WriteOverlay } from '../../../src/state';
import { storedPool, storedReservation } from '../../support/storedState';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const lifecycle: LifecycleConfig = {
  bookingCutoffMs: HOUR,
  expireAfterMs: DAY,
  expiredPoolRetentionMs: 7 * DAY,
  punctuateIntervalMs: 1000,
  maxExpiriesPerPunctuation: 2,
};
let dir: string;
let store: TaskStore;

const pool = (poolId: string, slotEnd: number, version = 4) => storedPool(poolId, slotEnd, version);
const reservation = storedReservation;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capacity-expiry-'));
  store = await TaskStore.open(dir, 0);
  const pools = [pool('a', 10 * HOUR), pool('b', 11 * HOUR), pool('c', 12 * HOUR), pool('later', 100 * HOUR)];
  const reservations = [reservation('a', 'x'), reservation('a', 'y'), reservation('later', 'x')];
  await store.commit(
    {
      pools: pools.map((p) => [p.poolId, p] as const),
      reservations: reservations.map((r) => [r.reservationId, r] as const),
    },
    { changelogOffsets: {}, nextInputOffset: 0 },
  );
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('nothing is due before a day after the slot end', async () => {
  const overlay = new WriteOverlay(store);
  const outcome = await expireDue(store, overlay, 10 * HOUR + DAY - 1, lifecycle);
  expect(outcome.events).toEqual([]);
  expect(overlay.size).toBe(0);
});

test('due pools expire oldest first, at most the limit per punctuation, with every reservation', async () => {
  const now = 12 * HOUR + DAY;
  const overlay = new WriteOverlay(store);
  const { events } = await expireDue(store, overlay, now, lifecycle);
  expect(events.map((e) => [e.poolId, e.version, e.event.type, e.occurredAt, e.commandId])).toEqual([
    ['a', 5, 'PoolExpired', now, 'expiry:a:5'],
    ['b', 5, 'PoolExpired', now, 'expiry:b:5'],
  ]);
  expect([...overlay.pools]).toEqual([
    ['a', null],
    ['b', null],
  ]);
  expect([...overlay.reservations.keys()].sort()).toEqual(
    [reservationIdFor('a', 'x'), reservationIdFor('a', 'y')].sort(),
  );
  expect([...overlay.reservations.values()]).toEqual([null, null]);
  expect(overlay.markers.get('a')).toEqual({
    poolId: 'a',
    zone: 'north',
    slotStart: 8 * HOUR,
    slotEnd: 10 * HOUR,
    version: 5,
    expiredAt: now,
  });

  // Committed, the next punctuation takes the rest of the backlog.
  await store.commit(overlay, { changelogOffsets: {}, nextInputOffset: 0 });
  const next = await expireDue(store, new WriteOverlay(store), now, lifecycle);
  expect(next.events.map((e) => e.poolId)).toEqual(['c']);
});

test('markers are forgotten once their retention has passed', async () => {
  const now = 12 * HOUR + DAY;
  const first = new WriteOverlay(store);
  await expireDue(store, first, now, lifecycle);
  await store.commit(first, { changelogOffsets: {}, nextInputOffset: 0 });

  const early = await expireDue(store, new WriteOverlay(store), now + 7 * DAY - 1, lifecycle);
  expect(early.forgotten).toEqual([]);
  const overlay = new WriteOverlay(store);
  const late = await expireDue(store, overlay, now + 7 * DAY, lifecycle);
  expect([...late.forgotten].sort()).toEqual(['a', 'b']);
  expect(overlay.markers.get('a')).toBeNull();
});
