// The side panel of one pool: its numbers, its recent history from the warehouse, and the planner's actions
// (change capacity; close, after a confirmation). Every API error is shown in words in the panel.
import type { Api } from './api';
import { h, say, utc } from './dom';
import type { PoolView } from './gridModel';

/** GET /v1/pools/{poolId}/history: the pool's events oldest first, from the warehouse (ADR 12). */
interface HistoryPage {
  readonly events: ReadonlyArray<{
    readonly version: number;
    readonly type: string;
    readonly occurredAt: string;
    readonly details: Readonly<Record<string, string | number | boolean | null>>;
  }>;
  readonly complete: boolean;
  readonly warehouse: { readonly lagRecords: number | null };
}

/** Events shown: the newest ones. */
const HISTORY_EVENTS = 20;

/** Journal fields that are instants (epoch ms) read better as times. */
const detailText = (name: string, value: string | number | boolean | null): string =>
  typeof value === 'number' && /^slot(Start|End)$/.test(name)
    ? utc(new Date(value).toISOString())
    : String(value);

/** Wait after a change before reading the history again: a burst of reservations is one read. */
const HISTORY_REFRESH_MS = 700;

export class PoolPanel {
  private current: PoolView | null = null;
  private historyTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly numbers = h('dl', { class: 'pool-numbers' });
  private readonly message = h('p', { class: 'message', role: 'alert', hidden: true });
  private readonly history = h('ol', { class: 'history' });
  private readonly historyNote = h('p', { class: 'note' });
  private readonly capacityInput = h('input', {
    type: 'number',
    min: 0,
    step: 1,
    name: 'capacity',
    required: true,
  });
  private readonly capacityForm = h(
    'form',
    { class: 'capacity-form' },
    h('label', {}, 'New capacity ', this.capacityInput),
    h('button', { type: 'submit' }, 'Change capacity'),
  );
  private readonly closeArea = h('div', { class: 'close-area' });
  private readonly title = h('h2', {});

  constructor(
    private readonly container: HTMLElement,
    private readonly api: Api,
  ) {
    const dismiss = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Close panel' }, '×');
    dismiss.addEventListener('click', () => this.hide());
    this.capacityForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.changeCapacity();
    });
    container.replaceChildren(
      h('header', {}, this.title, dismiss),
      this.numbers,
      this.message,
      h('section', { class: 'actions' }, this.capacityForm, this.closeArea),
      h('h3', {}, 'Recent history'),
      this.history,
      this.historyNote,
    );
    container.hidden = true;
  }

  get poolId(): string | null {
    return this.current?.poolId ?? null;
  }

  open(pool: PoolView): void {
    this.current = pool;
    this.container.hidden = false;
    this.title.textContent = pool.poolId;
    this.capacityInput.value = String(pool.capacity);
    say(this.message, '');
    this.showNumbers(pool);
    this.showCloseButton();
    this.history.replaceChildren();
    void this.loadHistory();
  }

  /** A newer state of a pool from the live feed: shown at once if it is the open one. */
  update(pool: PoolView): void {
    if (this.current?.poolId !== pool.poolId || this.current.version >= pool.version) return;
    const wasOpen = this.current.status === 'open';
    this.current = pool;
    this.showNumbers(pool);
    if (wasOpen && pool.status === 'closed') this.showCloseButton();
    this.refreshHistorySoon();
  }

  /** One history read after a short wait, however many changes arrive meanwhile. */
  private refreshHistorySoon(): void {
    if (this.historyTimer !== null) return;
    this.historyTimer = setTimeout(() => {
      this.historyTimer = null;
      void this.loadHistory();
    }, HISTORY_REFRESH_MS);
  }

  hide(): void {
    this.current = null;
    if (this.historyTimer !== null) clearTimeout(this.historyTimer);
    this.historyTimer = null;
    this.container.hidden = true;
  }

  private showNumbers(pool: PoolView): void {
    const rows: Array<[string, string]> = [
      ['Zone', pool.zone],
      ['Slot', `${utc(pool.slotStart)} – ${pool.slotEnd.slice(11, 16)}`],
      ['Capacity', String(pool.capacity)],
      ['Reserved', String(pool.reserved)],
      ['Available', String(pool.available)],
      ['Status', pool.status],
      ['Version', String(pool.version)],
    ];
    this.numbers.replaceChildren(
      ...rows.flatMap(([term, value]) => [
        h('dt', {}, term),
        h('dd', { 'data-field': term.toLowerCase() }, value),
      ]),
    );
    const closed = pool.status === 'closed';
    this.capacityInput.disabled = closed;
    (this.capacityForm.querySelector('button') as HTMLButtonElement).disabled = closed;
  }

  private showCloseButton(): void {
    if (this.current?.status === 'closed') {
      this.closeArea.replaceChildren(
        h('p', { class: 'note' }, 'This pool is closed: it takes no more reservations; releases still work.'),
      );
      return;
    }
    const button = h('button', { type: 'button', class: 'danger' }, 'Close pool…');
    button.addEventListener('click', () => this.confirmClose());
    this.closeArea.replaceChildren(button);
  }

  private confirmClose(): void {
    const pool = this.current;
    if (!pool) return;
    const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, close it');
    const no = h('button', { type: 'button' }, 'Keep it open');
    yes.addEventListener('click', () => void this.closePool(pool.poolId));
    no.addEventListener('click', () => this.showCloseButton());
    this.closeArea.replaceChildren(
      h(
        'div',
        { class: 'confirm', role: 'group' },
        h('p', {}, `Close ${pool.poolId}? It will take no more reservations. This cannot be undone.`),
        yes,
        no,
      ),
    );
    yes.focus();
  }

  private async changeCapacity(): Promise<void> {
    const pool = this.current;
    if (!pool) return;
    const capacity = Number(this.capacityInput.value);
    say(this.message, `Changing the capacity of ${pool.poolId} to ${capacity}…`, 'info');
    try {
      const changed = await this.api.request<PoolView>(
        'PATCH',
        `/v1/pools/${encodeURIComponent(pool.poolId)}`,
        {
          capacity,
        },
      );
      this.update(changed);
      say(this.message, `Capacity of ${pool.poolId} is now ${changed.capacity}.`, 'info');
    } catch (error) {
      say(this.message, `Capacity not changed. ${(error as Error).message}`);
    }
  }

  private async closePool(poolId: string): Promise<void> {
    say(this.message, `Closing ${poolId}…`, 'info');
    try {
      const closed = await this.api.request<PoolView>(
        'POST',
        `/v1/pools/${encodeURIComponent(poolId)}/close`,
      );
      this.update(closed);
      this.showCloseButton();
      say(this.message, `${poolId} is closed.`, 'info');
    } catch (error) {
      this.showCloseButton();
      say(this.message, `Pool not closed. ${(error as Error).message}`);
    }
  }

  private async loadHistory(): Promise<void> {
    const poolId = this.current?.poolId;
    if (!poolId) return;
    this.historyNote.textContent = 'Loading history…';
    try {
      const page = await this.api.request<HistoryPage>(
        'GET',
        `/v1/pools/${encodeURIComponent(poolId)}/history?limit=${HISTORY_EVENTS}`,
      );
      if (this.current?.poolId !== poolId) return;
      this.history.replaceChildren(
        ...[...page.events].reverse().map((e) =>
          h(
            'li',
            {},
            h('time', { datetime: e.occurredAt }, utc(e.occurredAt)),
            h('span', { class: 'event-type' }, e.type),
            h(
              'span',
              { class: 'event-details' },
              Object.entries(e.details)
                .map(([k, v]) => `${k} ${detailText(k, v)}`)
                .join(', '),
            ),
            h('span', { class: 'note' }, `v${e.version}`),
          ),
        ),
      );
      // The warehouse trails the read model: until it holds the version the panel shows, read again.
      const newest = page.events.at(-1)?.version ?? 0;
      const shown = this.current?.version ?? 0;
      if (newest < shown) this.refreshHistorySoon();
      const lag = page.warehouse.lagRecords ?? 0;
      this.historyNote.textContent = [
        page.complete
          ? ''
          : `The latest ${page.events.length} events; older ones: capacity history ${poolId}.`,
        newest < shown
          ? `The warehouse has reached version ${newest} of ${shown}; waiting for the rest.`
          : lag > 0
            ? `The warehouse is ${lag} journal records behind: the newest events may be missing.`
            : '',
      ]
        .filter((note) => note !== '')
        .join(' ');
    } catch (error) {
      this.historyNote.textContent = `History not available. ${(error as Error).message}`;
    }
  }
}
