// The typed layer of one partition task's state: pools, reservations, expired-pool markers, the index of
// pools by slot end (what expiry scans), and the checkpoint (the changelog offsets the stored state
// corresponds to, plus the next input offset). Values are JSON: small, and readable with any RocksDB tool.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpiredPool, Pool, Reservation } from '../domain';
import { RocksStore, type Write } from './rocksStore';

export interface Checkpoint {
  /** Per changelog "topic:partition", the offset after the last record reflected in the store. */
  readonly changelogOffsets: Readonly<Record<string, number>>;
  /** The next command offset to process. */
  readonly nextInputOffset: number;
}

const POOL = 'p:';
const RESERVATION = 'r:';
const MARKER = 'x:';
/** `s:<slotEnd, 15 digits>:<poolId>`: pools in slot-end order, so expiry reads only the due ones. */
const BY_SLOT_END = 's:';
const CHECKPOINT = 'meta:checkpoint';
/** Sorts after every character a key can hold. */
const END = '\uffff';

const slotEndKey = (slotEnd: number, poolId: string) =>
  `${BY_SLOT_END}${String(Math.max(0, slotEnd)).padStart(15, '0')}:${poolId}`;

/** Everything one committed batch changes; null deletes. */
export interface StoreChanges {
  readonly pools: Iterable<readonly [string, Pool | null]>;
  readonly reservations: Iterable<readonly [string, Reservation | null]>;
  readonly markers?: Iterable<readonly [string, ExpiredPool | null]>;
}

export interface Loaded {
  readonly pools: Map<string, Pool | null>;
  readonly markers: Map<string, ExpiredPool | null>;
  readonly reservations: Map<string, Reservation | null>;
}

/** How many entries of each kind the store holds (the bounded-state measurements). */
export interface StoreCounts {
  readonly pools: number;
  readonly reservations: number;
  readonly markers: number;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const EMPTY = Buffer.alloc(0);

export class TaskStore {
  private constructor(private readonly store: RocksStore) {}

  static directory(stateDir: string, partition: number): string {
    return join(stateDir, `task-${partition}`);
  }

  static async open(stateDir: string, partition: number): Promise<TaskStore> {
    return new TaskStore(await RocksStore.open(TaskStore.directory(stateDir, partition)));
  }

  /** Deletes a task's local state (it is a cache: the changelogs rebuild it). */
  static wipe(stateDir: string, partition: number): void {
    rmSync(TaskStore.directory(stateDir, partition), { recursive: true, force: true });
  }

  async pool(poolId: string): Promise<Pool | null> {
    const raw = await this.store.get(POOL + poolId);
    return raw === null ? null : (JSON.parse(raw.toString()) as Pool);
  }

  async reservation(reservationId: string): Promise<Reservation | null> {
    const raw = await this.store.get(RESERVATION + reservationId);
    return raw === null ? null : (JSON.parse(raw.toString()) as Reservation);
  }

  /** Loads many pools (with their expired-pool markers) and reservations in one RocksDB read. */
  async loadMany(poolIds: readonly string[], reservationIds: readonly string[]): Promise<Loaded> {
    const keys = [
      ...poolIds.map((id) => POOL + id),
      ...poolIds.map((id) => MARKER + id),
      ...reservationIds.map((id) => RESERVATION + id),
    ];
    const values = await this.store.getMany(keys);
    const parse = <T>(raw: Buffer | null | undefined): T | null =>
      raw ? (JSON.parse(raw.toString()) as T) : null;
    const n = poolIds.length;
    return {
      pools: new Map(poolIds.map((id, i) => [id, parse<Pool>(values[i])])),
      markers: new Map(poolIds.map((id, i) => [id, parse<ExpiredPool>(values[n + i])])),
      reservations: new Map(reservationIds.map((id, i) => [id, parse<Reservation>(values[2 * n + i])])),
    };
  }

  async checkpoint(): Promise<Checkpoint | null> {
    const raw = await this.store.get(CHECKPOINT);
    return raw === null ? null : (JSON.parse(raw.toString()) as Checkpoint);
  }

  /** Ids of pools whose slot ended at or before `slotEnd`, oldest first, at most `limit`. */
  async poolsEndedBy(slotEnd: number, limit: number): Promise<string[]> {
    const entries = await this.store.scan(BY_SLOT_END, slotEndKey(slotEnd, END), limit);
    return entries.map(([key]) => key.slice(BY_SLOT_END.length + 16));
  }

  /** Ids of every reservation of the pool: `r1.<poolId>.<digest>`, and a pool id has no ".". */
  async reservationIdsOf(poolId: string): Promise<string[]> {
    const prefix = `${RESERVATION}r1.${poolId}.`;
    const entries = await this.store.scan(prefix, prefix + END);
    return entries.map(([key]) => key.slice(RESERVATION.length));
  }

  async marker(poolId: string): Promise<ExpiredPool | null> {
    const raw = await this.store.get(MARKER + poolId);
    return raw === null ? null : (JSON.parse(raw.toString()) as ExpiredPool);
  }

  /** Every expired-pool marker (bounded by their retention). */
  async markers(): Promise<ExpiredPool[]> {
    const entries = await this.store.scan(MARKER, MARKER + END);
    return entries.map(([, value]) => JSON.parse(value.toString()) as ExpiredPool);
  }

  async counts(): Promise<StoreCounts> {
    const count = async (prefix: string) => (await this.store.scan(prefix, prefix + END)).length;
    return {
      pools: await count(POOL),
      reservations: await count(RESERVATION),
      markers: await count(MARKER),
    };
  }

  /**
   * Writes state changes and the checkpoint they correspond to in one atomic RocksDB batch. A pool's
   * slot-end index entry is written with it and deleted with it.
   */
  async commit(changes: StoreChanges, checkpoint: Checkpoint): Promise<void> {
    const writes: Write[] = [];
    const deleted: string[] = [];
    for (const [id, pool] of changes.pools) {
      if (pool === null) {
        deleted.push(id);
        writes.push({ key: POOL + id, value: null });
      } else {
        writes.push({ key: POOL + id, value: json(pool) });
        writes.push({ key: slotEndKey(pool.slotEnd, id), value: EMPTY });
      }
    }
    if (deleted.length > 0) {
      const existing = await this.loadMany(deleted, []);
      for (const [id, pool] of existing.pools)
        if (pool) writes.push({ key: slotEndKey(pool.slotEnd, id), value: null });
    }
    for (const [id, r] of changes.reservations)
      writes.push({ key: RESERVATION + id, value: r === null ? null : json(r) });
    for (const [id, marker] of changes.markers ?? [])
      writes.push({ key: MARKER + id, value: marker === null ? null : json(marker) });
    writes.push({ key: CHECKPOINT, value: json(checkpoint) });
    await this.store.write(writes);
  }

  /** Drops deleted entries from disk (after expiry deleted many): the state's footprint follows its size. */
  compact(): Promise<void> {
    return this.store.compact('', END);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
