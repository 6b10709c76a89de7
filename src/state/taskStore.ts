// The typed layer of one partition task's state: pools, reservations, and the checkpoint (the changelog
// offsets the stored state corresponds to, plus the next input offset). Values are JSON: small, and
// readable with any RocksDB tool when debugging.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, Reservation } from '../domain';
import { RocksStore, type Write } from './rocksStore';

export interface Checkpoint {
  /** Per changelog "topic:partition", the offset after the last record reflected in the store. */
  readonly changelogOffsets: Readonly<Record<string, number>>;
  /** The next command offset to process. */
  readonly nextInputOffset: number;
}

const POOL = 'p:';
const RESERVATION = 'r:';
const CHECKPOINT = 'meta:checkpoint';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

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

  /** Loads many pools and reservations in one RocksDB read. */
  async loadMany(poolIds: readonly string[], reservationIds: readonly string[]): Promise<{ pools: Map<string, Pool | null>; reservations: Map<string, Reservation | null> }> {
    const values = await this.store.getMany([...poolIds.map((id) => POOL + id), ...reservationIds.map((id) => RESERVATION + id)]);
    const parse = <T>(raw: Buffer | null | undefined): T | null => (raw ? (JSON.parse(raw.toString()) as T) : null);
    return {
      pools: new Map(poolIds.map((id, i) => [id, parse<Pool>(values[i])])),
      reservations: new Map(reservationIds.map((id, i) => [id, parse<Reservation>(values[poolIds.length + i])])),
    };
  }

  async checkpoint(): Promise<Checkpoint | null> {
    const raw = await this.store.get(CHECKPOINT);
    return raw === null ? null : (JSON.parse(raw.toString()) as Checkpoint);
  }

  /** Writes state changes and the checkpoint they correspond to in one atomic RocksDB batch. */
  async commit(
    pools: Iterable<readonly [string, Pool | null]>,
    reservations: Iterable<readonly [string, Reservation | null]>,
    checkpoint: Checkpoint,
  ): Promise<void> {
    const writes: Write[] = [];
    for (const [id, pool] of pools) writes.push({ key: POOL + id, value: pool === null ? null : json(pool) });
    for (const [id, r] of reservations) writes.push({ key: RESERVATION + id, value: r === null ? null : json(r) });
    writes.push({ key: CHECKPOINT, value: json(checkpoint) });
    await this.store.write(writes);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
