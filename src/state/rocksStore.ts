// The bottom layer: a RocksDB database that only knows string keys and buffers. Everything typed lives in
// the layers above (TaskStore, WriteOverlay), as Kafka Streams stacks its stores.
import { mkdirSync } from 'node:fs';
import rocksdb from 'rocksdb';
import { CapacityError } from '../errors';

/** Thrown when another process holds the RocksDB lock of a state directory. */
export class StateLockedError extends CapacityError {
  constructor(directory: string, cause: unknown) {
    super('STATE_DIR_LOCKED', `state directory ${directory} is locked by another process (is another processor using it? give each its own CAPACITY_STATE_DIR)`, { cause, context: { directory } });
  }
}

export interface Write {
  readonly key: string;
  /** null deletes the key. */
  readonly value: Buffer | null;
}

export class RocksStore {
  private constructor(
    private readonly db: ReturnType<typeof rocksdb>,
    readonly location: string,
  ) {}

  static async open(location: string): Promise<RocksStore> {
    mkdirSync(location, { recursive: true });
    const db = rocksdb(location);
    await new Promise<void>((resolve, reject) =>
      db.open({ createIfMissing: true }, (error) => {
        if (!error) resolve();
        else if (/lock/i.test(error.message)) reject(new StateLockedError(location, error));
        else reject(error);
      }),
    );
    return new RocksStore(db, location);
  }

  get(key: string): Promise<Buffer | null> {
    return new Promise((resolve, reject) =>
      this.db.get(key, { asBuffer: true }, (error, value) => {
        if (!error) resolve(value as Buffer);
        else if (/NotFound/i.test(error.message)) resolve(null);
        else reject(error);
      }),
    );
  }

  /** Reads many keys in one native call; missing keys are null (no per-miss error, unlike get). */
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) =>
      this.db.getMany([...keys], { asBuffer: true }, (error, values) =>
        error ? reject(error) : resolve(values.map((v) => (v === undefined ? null : (v as Buffer)))),
      ),
    );
  }

  /** Entries with keys in [gte, lt), in key order, at most `limit` (-1: all). */
  async scan(gte: string, lt: string, limit = -1): Promise<Array<[string, Buffer]>> {
    const iterator = this.db.iterator({ gte, lt, limit, keyAsBuffer: false, valueAsBuffer: true });
    const entries: Array<[string, Buffer]> = [];
    try {
      for (;;) {
        const entry = await new Promise<[string, Buffer] | null>((resolve, reject) =>
          iterator.next((error, key, value) =>
            error ? reject(error) : resolve(key === undefined ? null : [key, value as Buffer]),
          ),
        );
        if (!entry) return entries;
        entries.push(entry);
      }
    } finally {
      await new Promise<void>((resolve) => iterator.end(() => resolve()));
    }
  }

  /** Applies all writes atomically (one RocksDB write batch). */
  write(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    const operations = writes.map((w) =>
      w.value === null ? { type: 'del' as const, key: w.key } : { type: 'put' as const, key: w.key, value: w.value },
    );
    return new Promise((resolve, reject) => this.db.batch(operations, {}, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * Compacts the keys in [start, end]: the memtable is flushed and deleted entries are dropped from disk
   * (RocksDB would otherwise keep them, and the write-ahead log, until its own compactions get there).
   */
  compact(start: string, end: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.db.compactRange(start, end, (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((error) => (error ? reject(error) : resolve())));
  }
}
