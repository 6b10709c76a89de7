// The latest state of every pool, indexed by zone, answering availability queries in memory. Pure data
// structure: the feed from Kafka lives in AvailabilityReadModel.
import { availableOf, type Pool } from '../domain';

export interface AvailabilityQuery {
  readonly zone: string;
  /** Slot start at or after (inclusive), epoch ms. */
  readonly from: number | null;
  /** Slot start before (exclusive), epoch ms. */
  readonly to: number | null;
  readonly units: number;
  /**
   * Leave out pools whose booking has closed at this time (epoch ms, `bookableUntil <= bookableAt`): a
   * reserve would only be BOOKING_CLOSED. Omitted or null: no cut-off filter.
   */
  readonly bookableAt?: number | null;
}

/** Called with each pool change the index applies (not with stale versions it ignores); null = deleted. */
export type PoolChangeListener = (poolId: string, pool: Pool | null) => void;

interface VersionWaiter {
  readonly poolId: string;
  readonly version: number;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export class AvailabilityIndex {
  private readonly pools = new Map<string, Pool>();
  /** Per zone, its pools sorted by slot start; rebuilt lazily after changes. */
  private readonly zones = new Map<string, { pools: Pool[]; sorted: boolean }>();
  private waiters: VersionWaiter[] = [];
  private readonly listeners = new Set<PoolChangeListener>();

  get size(): number {
    return this.pools.size;
  }

  pool(poolId: string): Pool | null {
    return this.pools.get(poolId) ?? null;
  }

  /** Applies a changelog record; older versions than the one held are ignored. Null deletes. */
  apply(poolId: string, pool: Pool | null): void {
    const current = this.pools.get(poolId);
    if (pool !== null && current && current.version >= pool.version) return;
    if (pool === null && !current) return;
    if (current) this.removeFromZone(current);
    if (pool === null) {
      this.pools.delete(poolId);
      this.notify(poolId, null);
      return;
    }
    this.pools.set(poolId, pool);
    const zone = this.zones.get(pool.zone) ?? { pools: [], sorted: true };
    zone.pools.push(pool);
    zone.sorted = false;
    this.zones.set(pool.zone, zone);
    if (this.waiters.length > 0) this.wake(pool);
    this.notify(poolId, pool);
  }

  /**
   * Calls `listener` with every change applied from now on; returns the unsubscribe function. Listeners
   * run synchronously inside apply, so they must only queue work (the console's streams buffer and write).
   */
  onChange(listener: PoolChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(poolId: string, pool: Pool | null): void {
    for (const listener of this.listeners) {
      try {
        listener(poolId, pool);
      } catch {
        // A broken listener (a closed stream) must not stop the feed for every other reader.
        this.listeners.delete(listener);
      }
    }
  }

  private removeFromZone(pool: Pool): void {
    const zone = this.zones.get(pool.zone);
    if (!zone) return;
    const at = zone.pools.findIndex((p) => p.poolId === pool.poolId);
    if (at >= 0) zone.pools.splice(at, 1);
  }

  /**
   * Open pools in the zone whose slot starts in [from, to) with at least `units` available, by slot start;
   * with `bookableAt`, only those still bookable then. Closed and expired pools are never offered.
   */
  query(q: AvailabilityQuery): Pool[] {
    const at = q.bookableAt ?? null;
    return this.inRange(q.zone, q.from, q.to).filter(
      (p) => p.status === 'open' && availableOf(p) >= q.units && (at === null || at < p.bookableUntil),
    );
  }

  /** Every pool of the zone whose slot starts in [from, to), full, closed and past their cut-off too. */
  inRange(zoneName: string, from: number | null, to: number | null): Pool[] {
    const zone = this.zones.get(zoneName);
    if (!zone) return [];
    if (!zone.sorted) {
      zone.pools.sort((a, b) => a.slotStart - b.slotStart || a.poolId.localeCompare(b.poolId));
      zone.sorted = true;
    }
    const start = from === null ? 0 : lowerBound(zone.pools, from);
    const result: Pool[] = [];
    for (let i = start; i < zone.pools.length; i++) {
      const pool = zone.pools[i] as Pool;
      if (to !== null && pool.slotStart >= to) break;
      result.push(pool);
    }
    return result;
  }

  /** Resolves true once the pool has reached `version`, false after `timeoutMs`. */
  waitForVersion(poolId: string, version: number, timeoutMs: number): Promise<boolean> {
    if ((this.pools.get(poolId)?.version ?? 0) >= version) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: VersionWaiter = {
        poolId,
        version,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private wake(pool: Pool): void {
    const reached = this.waiters.filter((w) => w.poolId === pool.poolId && pool.version >= w.version);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => !reached.includes(w));
    for (const w of reached) {
      clearTimeout(w.timer);
      w.resolve(true);
    }
  }

  /** Releases pending waits (shutdown). */
  close(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
    this.listeners.clear();
  }
}

function lowerBound(pools: readonly Pool[], slotStart: number): number {
  let lo = 0;
  let hi = pools.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((pools[mid] as Pool).slotStart < slotStart) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
