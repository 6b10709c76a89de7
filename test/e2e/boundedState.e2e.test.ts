// Bounded state (ADR 12): twelve simulated days of slots defined, booked and expiring, on an injected clock
// (no sleeping through days). What the processor's RocksDB, a gateway's read model and the compacted
// changelogs hold must follow the live horizon, while the journal keeps growing with history.
import { simulateSlots, type DayCounts } from '../support/slotSimulation';

const DAY = 86_400_000;

test('pools, reservations and markers stay proportional to the live horizon, not to history', async () => {
  const days: DayCounts[] = await simulateSlots({
    zones: 2,
    slotsPerDay: 3,
    horizonDays: 3,
    reservationsPerPool: 4,
    releaseEvery: 4,
    days: 12,
    expireAfterMs: DAY,
    markerRetentionMs: 2 * DAY,
    partitions: 3,
  });
  expect(days).toHaveLength(12);
  for (const day of days) {
    // Every store agrees, at the end of every day, on exactly the pools that have not expired.
    expect({ day: day.day, pools: day.rocksdb.pools }).toEqual({ day: day.day, pools: day.livePools });
    expect(day.readModelPools).toBe(day.livePools);
    expect(day.changelog.pools).toBe(day.livePools);
    expect(day.changelog.reservations).toBe(day.rocksdb.reservations);
    expect(day.changelog.markers).toBe(day.rocksdb.markers);
  }
  // From the first days on, the live horizon is steady: so is every store, while history grows.
  const steady = days.slice(5);
  const first = steady[0] as DayCounts;
  const last = days.at(-1) as DayCounts;
  for (const day of steady) {
    expect(day.livePools).toBe(first.livePools);
    expect(day.rocksdb.reservations).toBe(first.rocksdb.reservations);
    expect(day.rocksdb.markers).toBe(first.rocksdb.markers);
  }
  expect(last.definedPools).toBeGreaterThan(2 * first.livePools);
  expect(last.journalEvents).toBeGreaterThan(1.5 * first.journalEvents);
  // Markers are kept for their retention (two days of slots), then dropped.
  expect(last.rocksdb.markers).toBeLessThanOrEqual(3 * 6);
});
