// Prints a soak's figures and verdict: faults by kind, answers by outcome, latency, the longest
// unavailability each kind of fault caused, what was compared, and every violation (or PASS).
import type { CheckReport } from '../../src/checker';
import type { FaultRecord } from './faults';
import type { Figures } from './figures';
import type { LedgerFigures } from './ledgerCheck';

export interface SoakSummary {
  readonly seed: number;
  readonly seconds: number;
  readonly rate: number;
  readonly partitions: number;
  readonly cpus: number;
  readonly loadavg: readonly number[];
  readonly sessionTimeoutMs: number;
  readonly faults: readonly FaultRecord[];
  readonly figures: Figures;
  readonly check: CheckReport;
  readonly ledger: LedgerFigures;
  readonly journalEvents: number;
  readonly warehouseRows: number;
  /** Per network partition: how many of the isolated processor's partitions another one took over. */
  readonly partitionsTakenOver: readonly number[];
  /** Processors that exited 75 (consumer failed for good) and were started again, as a supervisor would. */
  readonly requestedRestarts: readonly string[];
  readonly violations: Record<string, string[]>;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function printReport(s: SoakSummary, say: (line: string) => void): void {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `soak: seed ${s.seed}, ${s.seconds} s at ${s.rate} requests/s over 2 gateways, 3 processors, 3 brokers, ` +
      `${s.partitions} partitions; session timeout ${s.sessionTimeoutMs} ms; ${s.cpus} CPUs, load ${s.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
  );
  lines.push('', 'faults injected             count  longest unavailability (client class)');
  const kinds = [
    ...new Set([...Object.keys(s.figures.faultsByKind), ...Object.keys(s.figures.unavailability)]),
  ].sort();
  for (const kind of kinds) {
    const u = s.figures.unavailability[kind];
    lines.push(
      `  ${pad(kind, 26)}${pad(s.figures.faultsByKind[kind] ?? '-', 7)}${u ? `${seconds(u.ms)} (${u.where})` : '0 s'}`,
    );
  }
  const recoveries = s.faults
    .filter((f) => f.recoveredAt !== null)
    .map((f) => (f.recoveredAt as number) - f.endedAt);
  if (recoveries.length > 0)
    lines.push(`  whole again after a fault's end: at most ${seconds(Math.max(...recoveries))}`);
  if (s.partitionsTakenOver.length > 0)
    lines.push(
      `  partitions taken over from the isolated processor, per cut: ${s.partitionsTakenOver.join(', ')}`,
    );
  lines.push(
    `  processors that asked to be restarted (exit 75) and were: ${s.requestedRestarts.length === 0 ? 'none' : s.requestedRestarts.join('; ')}`,
  );
  lines.push('', 'answers                     outcome: count');
  for (const [op, outcomes] of Object.entries(s.figures.outcomes))
    lines.push(
      `  ${pad(op, 26)}${Object.entries(outcomes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([o, n]) => `${o}: ${n}`)
        .join(', ')}`,
    );
  lines.push('', 'latency of definite answers (from scheduled time)   p50 / p99 / max ms');
  for (const [op, l] of Object.entries(s.figures.latencyMs))
    lines.push(`  ${pad(op, 26)}${l.p50} / ${l.p99} / ${l.max}  (${l.count})`);
  lines.push(
    '',
    `compared: ${s.ledger.reservationsAnswered} reservations answered 2xx (${s.ledger.releasesAnswered} released with 200, ` +
      `${s.ledger.appliedWithoutAnswer} applied without an answer reaching the client); journal ${s.journalEvents} events, ` +
      `warehouse ${s.warehouseRows} rows; checker: ${s.check.pools} pools, ${s.check.commands} commands, ${s.check.results} results`,
  );
  lines.push('', 'verdict');
  let total = 0;
  for (const [what, list] of Object.entries(s.violations)) {
    total += list.length;
    lines.push(`  ${pad(what, 26)}${list.length === 0 ? 'ok' : `${list.length} VIOLATIONS`}`);
    for (const v of list.slice(0, 20)) lines.push(`    - ${v}`);
    if (list.length > 20) lines.push(`    … ${list.length - 20} more`);
  }
  lines.push(total === 0 ? '  PASS' : `  FAIL: ${total} violations`);
  for (const line of lines) say(line);
}
