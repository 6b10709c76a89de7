// The derived views against the journal and the changelog: the warehouse (PostgreSQL, filled by the
// connector) must hold exactly the journal's events, and every gateway's read model exactly the latest
// pool states of the pool-state changelog. Both trail Kafka, so each is compared once it has caught up, or
// as it stands when the bound runs out (then the difference is the violation).
import { Client } from 'pg';
import type { Pool } from '../../src/domain';
import { benchKeyHeader } from '../benchKeys';
import type { JournalView } from './journalView';
import type { PoolPlan } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_LISTED = 10;

/** Rows of `capacity_events` from this run's journal topic: `pool_id/version/type/reservation`. */
async function warehouseRows(url: string, eventsTopic: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{
      pool_id: string;
      version: string;
      event_type: string;
      reservation_id: string | null;
    }>('SELECT pool_id, version, event_type, reservation_id FROM capacity_events WHERE kafka_topic = $1', [
      eventsTopic,
    ]);
    return result.rows.map((r) => `${r.pool_id}/v${r.version}/${r.event_type}/${r.reservation_id ?? '-'}`);
  } finally {
    await client.end();
  }
}

const journalRows = (journal: JournalView) =>
  journal.events.map(({ envelope: e }) => {
    const reservation = 'reservationId' in e.event ? e.event.reservationId : '-';
    return `${e.poolId}/v${e.version}/${e.event.type}/${reservation}`;
  });

/** Multiset difference, both ways, as readable lines. */
function difference(what: string, expected: readonly string[], actual: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const row of expected) count.set(row, (count.get(row) ?? 0) + 1);
  for (const row of actual) count.set(row, (count.get(row) ?? 0) - 1);
  const missing = [...count].filter(([, n]) => n > 0).map(([row]) => row);
  const extra = [...count].filter(([, n]) => n < 0).map(([row, n]) => `${row} (x${1 - n})`);
  const lines: string[] = [];
  if (missing.length > 0)
    lines.push(`${what}: ${missing.length} missing, e.g. ${missing.slice(0, MAX_LISTED).join(', ')}`);
  if (extra.length > 0)
    lines.push(
      `${what}: ${extra.length} unexpected or duplicated, e.g. ${extra.slice(0, MAX_LISTED).join(', ')}`,
    );
  return lines;
}

export async function checkWarehouse(
  url: string,
  eventsTopic: string,
  journal: JournalView,
  timeoutMs: number,
): Promise<{ rows: number; violations: string[] }> {
  const expected = journalRows(journal);
  const deadline = Date.now() + timeoutMs;
  let rows: string[] = [];
  for (;;) {
    rows = await warehouseRows(url, eventsTopic);
    const violations = difference('warehouse', expected, rows);
    if (violations.length === 0 || Date.now() > deadline) return { rows: rows.length, violations };
    await sleep(1000);
  }
}

interface PoolView {
  readonly poolId: string;
  readonly capacity: number;
  readonly reserved: number;
  readonly status: string;
  readonly version: number;
}

const stateOf = (p: PoolView | Pool) => `${p.poolId} v${p.version} ${p.reserved}/${p.capacity} ${p.status}`;

async function readModelOf(port: number, plans: readonly PoolPlan[]): Promise<string[]> {
  const zones = [...new Set(plans.map((p) => p.zone))];
  const starts = plans.map((p) => Date.parse(p.slotStart));
  const from = new Date(Math.min(...starts)).toISOString();
  const to = new Date(Math.max(...starts) + 1).toISOString();
  const states: string[] = [];
  for (const zone of zones) {
    const query = new URLSearchParams({ zone, from, to });
    const response = await fetch(`http://127.0.0.1:${port}/v1/pools?${query}`, {
      headers: benchKeyHeader('reader'),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`GET /v1/pools: ${response.status} ${await response.text()}`);
    states.push(...((await response.json()) as { pools: PoolView[] }).pools.map(stateOf));
  }
  return states.sort();
}

/** Each gateway's read model against the pool-state changelog, once it has caught up (bounded). */
export async function checkReadModels(
  ports: readonly number[],
  plans: readonly PoolPlan[],
  journal: JournalView,
  timeoutMs: number,
): Promise<string[]> {
  const expected = [...journal.pools.values()]
    .filter((p): p is Pool => p !== null)
    .map(stateOf)
    .sort();
  const violations: string[] = [];
  for (const [gateway, port] of ports.entries()) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = await readModelOf(port, plans).then(
        (states) => difference(`gateway ${gateway} read model`, expected, states),
        (error: unknown) => [`gateway ${gateway} read model: ${String(error)}`],
      );
      if (lines.length === 0) break;
      if (Date.now() > deadline) {
        violations.push(...lines);
        break;
      }
      await sleep(1000);
    }
  }
  return violations;
}
