// The week grid on the page: one cell per pool showing reserved / capacity, coloured by how full it is.
// A change to a pool updates its cell in place; a pool in a new row or day redraws the grid.
import { h } from './dom';
import { cellKey, fillOf, gridOf, rowOf, type PoolView } from './gridModel';

export class WeekGrid {
  private pools = new Map<string, PoolView>();
  private readonly cells = new Map<string, HTMLButtonElement>();

  constructor(
    private readonly container: HTMLElement,
    private readonly weekStartMs: number,
    private readonly zone: string,
    private readonly onOpen: (pool: PoolView) => void,
  ) {}

  pool(poolId: string): PoolView | undefined {
    return this.pools.get(poolId);
  }

  replaceAll(pools: readonly PoolView[]): void {
    this.pools = new Map(pools.map((p) => [p.poolId, p]));
    this.render();
  }

  /** Applies a newer state of a pool; returns false when it was older than the one shown. */
  update(pool: PoolView): boolean {
    const previous = this.pools.get(pool.poolId);
    if (previous && previous.version > pool.version) return false;
    this.pools.set(pool.poolId, pool);
    const cell = this.cells.get(pool.poolId);
    if (cell && previous && rowOf(previous) === rowOf(pool) && previous.slotStart === pool.slotStart) {
      this.fill(cell, pool);
    } else {
      this.render();
    }
    return true;
  }

  remove(poolId: string): void {
    if (this.pools.delete(poolId)) this.render();
  }

  private render(): void {
    const model = gridOf(this.pools.values(), this.weekStartMs);
    this.cells.clear();
    if (model.rows.length === 0) {
      this.container.replaceChildren(
        h(
          'p',
          { class: 'empty-grid' },
          `No pools in zone ${this.zone} for the week of ${model.days[0]?.date ?? ''}. Define a week of slots below.`,
        ),
      );
      return;
    }
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Slot (UTC)'),
      ...model.days.map((d) => h('th', { scope: 'col' }, d.label)),
    );
    const body = model.rows.map((row) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, row),
        ...model.days.map((day) => {
          const pool = model.cells.get(cellKey(day.index, row));
          if (!pool) return h('td', { class: 'no-pool' }, '—');
          const cell = h('button', { type: 'button', class: 'cell', 'data-pool-id': pool.poolId });
          cell.addEventListener('click', () => {
            const current = this.pools.get(pool.poolId);
            if (current) this.onOpen(current);
          });
          this.fill(cell, pool);
          this.cells.set(pool.poolId, cell);
          return h('td', {}, cell);
        }),
      ),
    );
    this.container.replaceChildren(
      h('table', { class: 'grid' }, h('thead', {}, head), h('tbody', {}, ...body)),
    );
  }

  private fill(cell: HTMLButtonElement, pool: PoolView): void {
    const fill = fillOf(pool);
    cell.className = `cell fill-${fill}`;
    cell.title = `${pool.poolId}: ${pool.reserved} of ${pool.capacity} reserved, ${pool.available} available${
      pool.status === 'closed' ? ', closed' : ''
    }`;
    const state = fill === 'closed' || fill === 'full' ? h('span', { class: 'state' }, fill) : null;
    cell.replaceChildren(
      h('span', { class: 'numbers' }, `${pool.reserved} / ${pool.capacity}`),
      ...(state ? [state] : []),
    );
  }
}
