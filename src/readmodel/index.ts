export { AvailabilityIndex } from './availabilityIndex';
export type { AvailabilityQuery, PoolChangeListener } from './availabilityIndex';
export { AvailabilityReadModel } from './availabilityReadModel';
export type { ReadModelStatus } from './availabilityReadModel';
export { PoolStateFeed } from './poolStateFeed';
export type { PoolStateFeedOptions, PoolStateRecord } from './poolStateFeed';
