import type { PoolState } from './types';

/** The state of a pool that has never been defined. Frozen: states are shared, never mutated. */
export const initialState: PoolState = Object.freeze({ pool: null, reservations: Object.freeze({}) });
