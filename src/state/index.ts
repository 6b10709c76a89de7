export { RocksStore, StateLockedError } from './rocksStore';
export type { Write } from './rocksStore';
export { TaskStore } from './taskStore';
export type { Checkpoint, Loaded, StoreChanges, StoreCounts } from './taskStore';
export { WriteOverlay } from './writeOverlay';
export { InstanceLock } from './instanceLock';
