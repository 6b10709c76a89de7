// Uncommitted writes of one batch, over the task store. Reads see the overlay first. After the Kafka
// transaction commits, the overlay is written to the store; if it fails, the overlay is dropped.
// A null value is a deletion (an expired pool, its reservations, a marker past its retention).
import type { ExpiredPool, Pool, Reservation } from '../domain';
import type { StoreChanges, TaskStore } from './taskStore';

export class WriteOverlay implements StoreChanges {
  readonly pools = new Map<string, Pool | null>();
  readonly reservations = new Map<string, Reservation | null>();
  readonly markers = new Map<string, ExpiredPool | null>();

  /** Committed values read ahead for this batch (prefetch); the writes above take precedence. */
  private readonly loadedPools = new Map<string, Pool | null>();
  private readonly loadedMarkers = new Map<string, ExpiredPool | null>();
  private readonly loadedReservations = new Map<string, Reservation | null>();

  constructor(private readonly store: TaskStore) {}

  /** Reads everything a batch will need in one RocksDB call, instead of one or two reads per command. */
  async prefetch(poolIds: Iterable<string>, reservationIds: Iterable<string>): Promise<void> {
    const pools = [...new Set(poolIds)].filter((id) => !this.loadedPools.has(id));
    const reservations = [...new Set(reservationIds)].filter((id) => !this.loadedReservations.has(id));
    const loaded = await this.store.loadMany(pools, reservations);
    for (const [id, pool] of loaded.pools) this.loadedPools.set(id, pool);
    for (const [id, marker] of loaded.markers) this.loadedMarkers.set(id, marker);
    for (const [id, reservation] of loaded.reservations) this.loadedReservations.set(id, reservation);
  }

  async pool(poolId: string): Promise<Pool | null> {
    if (this.pools.has(poolId)) return this.pools.get(poolId) ?? null;
    if (this.loadedPools.has(poolId)) return this.loadedPools.get(poolId) ?? null;
    return this.store.pool(poolId);
  }

  /** The marker of an expired pool (null: the pool never expired, or its marker's retention passed). */
  async marker(poolId: string): Promise<ExpiredPool | null> {
    if (this.markers.has(poolId)) return this.markers.get(poolId) ?? null;
    if (this.loadedMarkers.has(poolId)) return this.loadedMarkers.get(poolId) ?? null;
    return this.store.marker(poolId);
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

  /** Retires a pool: it and its reservations are deleted, its marker written. */
  expirePool(marker: ExpiredPool, reservationIds: readonly string[]): void {
    this.pools.set(marker.poolId, null);
    for (const id of reservationIds) this.reservations.set(id, null);
    this.markers.set(marker.poolId, marker);
  }

  dropMarker(poolId: string): void {
    this.markers.set(poolId, null);
  }

  get size(): number {
    return this.pools.size + this.reservations.size + this.markers.size;
  }
}
