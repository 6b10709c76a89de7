import type { Pool } from './types';

/** Units still reservable. Clamped at 0: lowering capacity below `reserved` oversubscribes a pool. */
export function availableOf(pool: Pool): number {
  return Math.max(0, pool.capacity - pool.reserved);
}
