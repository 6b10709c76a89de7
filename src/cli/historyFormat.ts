// How `capacity history` prints the gateway's answers: a table of events (version, time, type, details,
// command id) or the pool as it was at an instant, with the warehouse's progress under it. Pure text.
import type { HistoryResponse, PoolAsOfResponse } from '../gateway';

type Detail = string | number | boolean | null;

/** Event fields that are instants (epoch ms) print as ISO times. */
const isInstant = (name: string) => /^(slotStart|slotEnd|bookableUntil|expiredAt)$/.test(name);

export function detailsText(details: Readonly<Record<string, Detail>>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => {
      const text =
        typeof value === 'number' && isInstant(name) ? new Date(value).toISOString() : String(value);
      return `${name}=${text}`;
    })
    .join(' ');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function warehouseText(w: HistoryResponse['warehouse']): string {
  const loaded = w.loadedOffset === null ? 'nothing loaded yet' : `loaded up to offset ${w.loadedOffset}`;
  const lag =
    w.lagRecords === null
      ? 'lag unknown'
      : w.lagRecords === 0
        ? 'up to date'
        : `${w.lagRecords} records behind the journal`;
  const at = w.loadedAt ? `, last batch ${w.loadedAt}` : '';
  return `warehouse (${w.kind}): journal partition ${w.partition} ${loaded}, ${lag}${at}`;
}

export function formatHistory(answer: HistoryResponse): string[] {
  const count = answer.events.length;
  const lines = [
    `pool ${answer.poolId}: ${count} event${count === 1 ? '' : 's'}` +
      (answer.complete ? '' : ' (the newest; older ones exist: --limit)'),
    ...table([
      ['VERSION', 'TIME', 'TYPE', 'DETAILS', 'COMMAND'],
      ...answer.events.map((e) => [
        String(e.version),
        e.occurredAt,
        e.type,
        detailsText(e.details),
        e.commandId,
      ]),
    ]),
    warehouseText(answer.warehouse),
  ];
  return lines;
}

export function formatAsOf(answer: PoolAsOfResponse): string[] {
  const rows: [string, string][] = [
    ['pool', answer.poolId],
    ['as of', answer.asOf],
    ['zone', answer.zone],
    ['slot', `${answer.slotStart} – ${answer.slotEnd}`],
    ['status', answer.status],
    ['capacity', String(answer.capacity)],
    [
      'reserved',
      `${answer.reserved} (${answer.reservations} reservation${answer.reservations === 1 ? '' : 's'})`,
    ],
    ['available', String(answer.available)],
    ['version', `${answer.version} (since ${answer.updatedAt})`],
  ];
  return [
    ...table(rows.map(([name, value]) => [`${name}:`, value])),
    ...answer.skipped.map((s) => `note: version ${s.version} (${s.type}) ${s.reason}`),
    warehouseText(answer.warehouse),
  ];
}
