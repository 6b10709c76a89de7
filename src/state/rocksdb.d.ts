// Minimal types for the `rocksdb` package (abstract-leveldown API), only what RocksStore uses.
declare module 'rocksdb' {
  type Callback<T = void> = (error: Error | undefined, value: T) => void;
  interface BatchOperation {
    type: 'put' | 'del';
    key: Buffer | string;
    value?: Buffer | string;
  }
  interface Iterator {
    next(callback: (error: Error | undefined, key?: string, value?: Buffer) => void): void;
    end(callback: Callback): void;
  }
  interface RocksDB {
    iterator(options: {
      gte?: string;
      lt?: string;
      limit?: number;
      keys?: boolean;
      values?: boolean;
      keyAsBuffer?: boolean;
      valueAsBuffer?: boolean;
    }): Iterator;
    open(options: { createIfMissing?: boolean; errorIfExists?: boolean }, callback: Callback): void;
    close(callback: Callback): void;
    compactRange(start: string, end: string, callback: Callback): void;
    get(key: Buffer | string, options: { asBuffer?: boolean; fillCache?: boolean }, callback: Callback<Buffer | string>): void;
    batch(operations: BatchOperation[], options: { sync?: boolean }, callback: Callback): void;
    getMany(keys: Array<Buffer | string>, options: { asBuffer?: boolean; fillCache?: boolean }, callback: Callback<Array<Buffer | undefined>>): void;
  }
  function rocksdb(location: string): RocksDB;
  export = rocksdb;
}
