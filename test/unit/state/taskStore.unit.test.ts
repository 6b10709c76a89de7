// The task store on a real RocksDB in a scratch directory: the slot-end index expiry scans, the prefix scan
// for a pool's reservations, markers, and deletion that takes the index entry with it (ADR 12).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpiredPool } from '../../../src/domain';
import { TaskStore, WriteOverlay } from '../../../src/state';
import { storedPool, storedReservation } from '../../support/storedState';

const HOUR = 3_600_000;
let dir: string;
let store: TaskStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capacity-taskstore-'));
  store = await TaskStore.open(dir, 0);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const pool = (poolId: string, slotEnd: number) => storedPool(poolId, slotEnd);
const reservation = storedReservation;

const checkpoint = { changelogOffsets: {}, nextInputOffset: 0 };

test('pools are found by slot end, oldest first, only up to the time asked, at most the limit', async () => {
  const pools = [pool('late', 30 * HOUR), pool('early', 10 * HOUR), pool('middle', 20 * HOUR), pool('b', 10 * HOUR)];
  await store.commit({ pools: pools.map((p) => [p.poolId, p] as const), reservations: [] }, checkpoint);
  expect(await store.poolsEndedBy(20 * HOUR, 100)).toEqual(['b', 'early', 'middle']);
  expect(await store.poolsEndedBy(20 * HOUR - 1, 100)).toEqual(['b', 'early']);
  expect(await store.poolsEndedBy(40 * HOUR, 2)).toEqual(['b', 'early']);
  expect(await store.poolsEndedBy(HOUR, 100)).toEqual([]);
});

test("a pool's reservations are found by prefix, not those of a pool whose id extends it", async () => {
  const mine = [reservation('north-8', 'a'), reservation('north-8', 'b')];
  const other = reservation('north-80', 'a');
  await store.commit({ pools: [], reservations: [...mine, other].map((r) => [r.reservationId, r] as const) }, checkpoint);
  expect((await store.reservationIdsOf('north-8')).sort()).toEqual(mine.map((r) => r.reservationId).sort());
  expect(await store.reservationIdsOf('north-80')).toEqual([other.reservationId]);
});

test('expiring deletes the pool, its reservations and its index entry, and keeps a marker', async () => {
  const p = pool('north-8', 10 * HOUR);
  const rs = [reservation('north-8', 'a'), reservation('north-8', 'b')];
  const kept = pool('south-1', 10 * HOUR);
  await store.commit(
    {
      pools: [p, kept].map((x) => [x.poolId, x] as const),
      reservations: rs.map((r) => [r.reservationId, r] as const),
    },
    checkpoint,
  );
  expect(await store.counts()).toEqual({ pools: 2, reservations: 2, markers: 0 });

  const marker: ExpiredPool = { poolId: 'north-8', zone: 'north', slotStart: p.slotStart, slotEnd: p.slotEnd, version: 3, expiredAt: 40 * HOUR };
  const overlay = new WriteOverlay(store);
  overlay.expirePool(marker, await store.reservationIdsOf('north-8'));
  expect(await overlay.pool('north-8')).toBeNull();
  expect(await overlay.marker('north-8')).toEqual(marker);
  await store.commit(overlay, checkpoint);

  expect(await store.pool('north-8')).toBeNull();
  expect(await store.marker('north-8')).toEqual(marker);
  expect(await store.poolsEndedBy(100 * HOUR, 100)).toEqual(['south-1']);
  expect(await store.counts()).toEqual({ pools: 1, reservations: 0, markers: 1 });
  expect(await store.markers()).toEqual([marker]);
  const loaded = await store.loadMany(['north-8', 'south-1'], []);
  expect(loaded.pools.get('north-8')).toBeNull();
  expect(loaded.markers.get('north-8')).toEqual(marker);
  expect(loaded.markers.get('south-1')).toBeNull();

  const forget = new WriteOverlay(store);
  forget.dropMarker('north-8');
  await store.commit(forget, checkpoint);
  expect(await store.counts()).toEqual({ pools: 1, reservations: 0, markers: 0 });
});
