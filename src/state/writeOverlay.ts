// Uncommitted writes of one batch, over the task store. Reads see the overlay first. After the Kafka
// transaction commits, the overlay is written to the store; if it fails, the overlay is dropped.
import type { Pool, Reservation } from '../domain';
import type { TaskStore } from './taskStore';

export class WriteOverlay {
  readonly pools = new Map<string, Pool | null>();
  readonly reservations = new Map<string, Reservation | null>();

  /** Committed values read ahead for this batch (prefetch); the writes above take precedence. */
  private readonly loadedPools = new Map<string, Pool | null>();
  private readonly loadedReservations = new Map<string, Reservation | null>();

  constructor(private readonly store: TaskStore) {}

  /** Reads everything a batch will need in one RocksDB call, instead of one or two reads per command. */
  async prefetch(poolIds: Iterable<string>, reservationIds: Iterable<string>): Promise<void> {
    const pools = [...new Set(poolIds)].filter((id) => !this.loadedPools.has(id));
    const reservations = [...new Set(reservationIds)].filter((id) => !this.loadedReservations.has(id));
    const loaded = await this.store.loadMany(pools, reservations);
    for (const [id, pool] of loaded.pools) this.loadedPools.set(id, pool);
    for (const [id, reservation] of loaded.reservations) this.loadedReservations.set(id, reservation);
  }

  async pool(poolId: string): Promise<Pool | null> {
    if (this.pools.has(poolId)) return this.pools.get(poolId) ?? null;
    if (this.loadedPools.has(poolId)) return this.loadedPools.get(poolId) ?? null;
    return this.store.pool(poolId);
  }

  async reservation(reservationId: string): Promise<Reservation | null> {
    if (this.reservations.has(reservationId)) return this.reservations.get(reservationId) ?? null;
    if (this.loadedReservations.has(reservationId)) return this.loadedReservations.get(reservationId) ?? null;
    return this.store.reservation(reservationId);
  }

  putPool(pool: Pool): void {
    this.pools.set(pool.poolId, pool);
  }

  putReservation(reservation: Reservation): void {
    this.reservations.set(reservation.reservationId, reservation);
  }

  get size(): number {
    return this.pools.size + this.reservations.size;
  }
}
