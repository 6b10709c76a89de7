// How the failover benchmark prints a fault's outcome: one table row per window and class, the targets
// with PASS/FAIL, the processors' restore metrics, and the invariant checks.
import type { ClassStats, Fault, perSecond, RequestClass, TargetResult } from './failoverAnalysis';
import type { LedgerReport } from './failoverLedger';

export interface RestoreSample {
  readonly processor: number;
  readonly records: number | null;
  readonly seconds: number | null;
  readonly tasks: number | null;
}

export interface FaultResult {
  readonly fault: Fault;
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly victim: number;
  readonly movedPartitions: readonly number[];
  /** Did every partition have a ready owner just before the fault? */
  readonly groupStableAtFault: boolean;
  /** Times relative to the fault, ms (restart: old process exited, new one started, its tasks ready). */
  readonly timeline: Readonly<Record<string, number>>;
  readonly before: Readonly<Record<RequestClass, ClassStats>>;
  readonly event: Readonly<Record<RequestClass, ClassStats>>;
  readonly restore: { readonly before: RestoreSample[]; readonly after: RestoreSample[] };
  readonly drained: boolean;
  readonly ledger: LedgerReport;
  readonly targets: readonly TargetResult[];
  readonly maxSendLagMs: number;
  /** Due second relative to the fault, per class: requests, 2xx, max latency (JSON only). */
  readonly perSecond: ReturnType<typeof perSecond>;
  readonly logs: readonly string[];
}

const pad = (v: string | number, width: number) => String(v).padStart(width);
const statuses = (s: ClassStats) =>
  Object.entries(s.byStatus)
    .map(([code, n]) => `${code}:${n}`)
    .join(' ') || '-';

const HEAD =
  'fault     offered achieved | window class    reqs    2xx non-2xx          err  p50 ms  p99 ms   max ms | recovery ms  longest gap ms';

function row(prefix: string, window: string, cls: string, s: ClassStats, withRecovery: boolean): string {
  return [
    prefix,
    ' | ',
    window.padEnd(7),
    cls.padEnd(6),
    pad(s.requests, 7),
    pad(s.ok, 7),
    ' ',
    statuses(s).padEnd(15),
    pad(s.errors, 5),
    pad(s.p50Ms.toFixed(1), 8),
    pad(s.p99Ms.toFixed(1), 8),
    pad(s.maxMs.toFixed(1), 9),
    ' | ',
    pad(withRecovery ? (s.recoveryMs === null ? 'never' : s.recoveryMs.toFixed(0)) : '', 11),
    pad(withRecovery ? s.longestGapMs.toFixed(0) : '', 16),
  ].join('');
}

export function printFaultTable(results: readonly FaultResult[]): void {
  console.log(HEAD);
  for (const r of results) {
    const lead = `${r.fault.padEnd(8)}${pad(r.offeredPerSec, 8)}${pad(r.achievedPerSec.toFixed(1), 9)}`;
    const blank = ' '.repeat(lead.length);
    console.log(row(lead, 'event', 'moved', r.event.moved, true));
    console.log(row(blank, 'event', 'other', r.event.other, true));
    console.log(row(blank, 'before', 'moved', r.before.moved, false));
    console.log(row(blank, 'before', 'other', r.before.other, false));
  }
}

export function printFaultDetails(r: FaultResult): void {
  const targets = r.targets.map((t) => `${t.target}: ${t.measured} ${t.pass ? 'PASS' : 'FAIL'}`);
  console.log(`\n${r.fault}: victim p${r.victim}, moved partitions [${r.movedPartitions.join(',')}]`);
  console.log(`  targets: ${targets.join(' | ')}`);
  const times = Object.entries(r.timeline).map(([what, ms]) => `${what} +${ms} ms`);
  if (times.length > 0) console.log(`  timeline: ${times.join(', ')}`);
  if (!r.groupStableAtFault) console.log('  ! not every partition had a ready owner just before the fault');
  if (!r.drained) console.log('  ! the group did not process every command within the bound after the load');
  if (r.maxSendLagMs > 100)
    console.log(`  ! the generator itself fell behind: max send lag ${r.maxSendLagMs} ms`);
  const sample = (s: RestoreSample) =>
    `p${s.processor} ${s.records ?? '-'} rec/${s.seconds === null ? '-' : s.seconds.toFixed(2)} s/${s.tasks ?? '-'} tasks`;
  console.log(
    `  restore (records/seconds total, tasks owned) before: ${r.restore.before.map(sample).join(', ')}; ` +
      `after: ${r.restore.after.map(sample).join(', ')}`,
  );
  const l = r.ledger;
  console.log(
    `  check: ${l.check ? `${l.check.events} events, ${l.check.results} results, ${l.check.violations.length} violations` : 'did not complete'}; ` +
      `ledger: ${l.acceptedByGenerator} answered 201, ${l.reservedInJournal} reservations in the journal ` +
      `(${l.inJournalWithout201} without a 201 to the generator)`,
  );
  for (const v of l.violations) console.log(`  VIOLATION ${v}`);
}

export function printNotes(): void {
  console.log(
    [
      '',
      'moved = requests to pools whose partition the victim owned just before the fault; other = the rest.',
      'event = requests still unanswered at the fault or due after it; before = answered before the fault.',
      "latency from each request's due time (open loop), over every request that ended (any status, errors).",
      'non-2xx by status (409 is a business answer, not a failure); err = connection errors, generator',
      'timeouts and requests never sent (max outstanding).',
      'recovery = fault -> first 2xx of a request due after the fault from which on (in due order) every',
      'request of the class got a 2xx; longest gap = longest time without a 2xx for the class after the fault.',
      'targets (issue 10): kill9 (and sigstop): moved answer again <= 3 s, moved max <= 3 s, other p99 <=',
      '200 ms, no 5xx; sigterm, restart: 0 failed, max <= 500 ms; every fault: check + ledger clean.',
    ].join('\n'),
  );
}
