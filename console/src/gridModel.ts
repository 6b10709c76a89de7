// The week grid as data: days as columns, the slots' times of day as rows, a pool per cell, and how full
// each pool is. Pure, so the grid's rules are unit-tested without a browser.

export interface PoolView {
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: string;
  readonly slotEnd: string;
  readonly capacity: number;
  readonly reserved: number;
  readonly available: number;
  readonly status: 'open' | 'closed';
  readonly version: number;
}

export interface GridModel {
  readonly days: ReadonlyArray<{ readonly index: number; readonly label: string; readonly date: string }>;
  /** Times of day (UTC) that some pool of the week occupies, e.g. "08:00–10:00", in order. */
  readonly rows: readonly string[];
  /** Pool per "<day index>|<row>". */
  readonly cells: ReadonlyMap<string, PoolView>;
}

const DAY = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const hhmm = (iso: string) => iso.slice(11, 16);
export const rowOf = (pool: PoolView): string => `${hhmm(pool.slotStart)}–${hhmm(pool.slotEnd)}`;
export const cellKey = (day: number, row: string): string => `${day}|${row}`;

export function gridOf(pools: Iterable<PoolView>, weekStartMs: number, dayCount = 7): GridModel {
  const days = Array.from({ length: dayCount }, (_, index) => {
    const date = new Date(weekStartMs + index * DAY);
    const iso = date.toISOString().slice(0, 10);
    return { index, date: iso, label: `${WEEKDAYS[date.getUTCDay()]} ${iso.slice(5)}` };
  });
  const rows = new Set<string>();
  const cells = new Map<string, PoolView>();
  for (const pool of pools) {
    const day = Math.floor((Date.parse(pool.slotStart) - weekStartMs) / DAY);
    if (day < 0 || day >= dayCount) continue;
    const row = rowOf(pool);
    rows.add(row);
    cells.set(cellKey(day, row), pool);
  }
  return { days, rows: [...rows].sort(), cells };
}

export type Fill = 'closed' | 'empty' | 'low' | 'mid' | 'high' | 'full';

/** How full a pool is, for its colour: closed, or by reserved / capacity. */
export function fillOf(pool: PoolView): Fill {
  if (pool.status === 'closed') return 'closed';
  if (pool.available <= 0) return 'full';
  const used = pool.capacity === 0 ? 1 : pool.reserved / pool.capacity;
  if (used === 0) return 'empty';
  if (used < 0.5) return 'low';
  if (used < 0.8) return 'mid';
  return 'high';
}
