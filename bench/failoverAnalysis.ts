// What the failover benchmark concludes from its per-request records: per class (pools on the partitions
// the victim owned, "moved", and all others) the outcome counts, latency, the time until the moved
// partitions answer again and the longest gap between answers; then the targets of issue 10.
import * as hdr from 'hdr-histogram-js';
import type { Completion } from './openLoop';

export type Fault = 'kill9' | 'sigterm' | 'sigstop' | 'restart';
export type RequestClass = 'moved' | 'other';

/** One reserve as the generator saw it (performance.now() times). */
export interface RequestRecord extends Completion {
  readonly requestClass: RequestClass;
}

export interface ClassStats {
  readonly requests: number;
  readonly ok: number;
  /** Non-2xx answers by status (409 is a business answer, listed but not a failure). */
  readonly byStatus: Record<string, number>;
  readonly count5xx: number;
  /** Connection errors, generator timeouts, and requests never sent (max outstanding). */
  readonly errors: number;
  /** Everything that is neither 2xx nor 409. */
  readonly failed: number;
  /** Latency from the due time of every request that ended (any status, errors, timeouts). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /**
   * From the fault to the first 2xx of a request due after the fault from which on (in due order) every
   * request of the class got a 2xx; null when that never happened within the load.
   */
  readonly recoveryMs: number | null;
  /** Longest time without a 2xx answer for the class, from the fault to the end of the load. */
  readonly longestGapMs: number;
}

const round = (n: number) => Math.round(n * 10) / 10;
const isOk = (r: Completion) => typeof r.outcome === 'number' && r.outcome >= 200 && r.outcome < 300;
const isFailure = (r: Completion) => !isOk(r) && r.outcome !== 409;

export function classStats(records: readonly RequestRecord[], faultAt: number, loadEnd: number): ClassStats {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });
  const byStatus: Record<string, number> = {};
  let errors = 0;
  for (const r of records) {
    if (typeof r.outcome === 'number') {
      if (!isOk(r)) byStatus[r.outcome] = (byStatus[r.outcome] ?? 0) + 1;
    } else errors++;
    if (r.outcome !== 'notSent') h.recordValue(Math.max(1, Math.round((r.endAt - r.dueAt) * 1000)));
  }
  const ms = (us: number) => Math.round(us) / 1000;
  // Recovery: the suffix (in due order) of requests due after the fault that all got a 2xx.
  const after = records.filter((r) => r.dueAt >= faultAt).sort((a, b) => a.dueAt - b.dueAt);
  let firstGood = after.length;
  while (firstGood > 0 && isOk(after[firstGood - 1] as RequestRecord)) firstGood--;
  const suffix = after.slice(firstGood);
  const recoveryMs = suffix.length > 0 ? round(Math.min(...suffix.map((r) => r.endAt)) - faultAt) : null;
  // Longest gap between 2xx answers (by answer time), the fault and the end of the load included.
  const answers = records
    .filter((r) => isOk(r) && r.endAt >= faultAt)
    .map((r) => r.endAt)
    .sort((a, b) => a - b);
  let longestGapMs = 0;
  let previous = faultAt;
  for (const at of [...answers, Math.max(loadEnd, answers.at(-1) ?? loadEnd)]) {
    longestGapMs = Math.max(longestGapMs, at - previous);
    previous = at;
  }
  return {
    requests: records.length,
    ok: records.filter(isOk).length,
    byStatus,
    count5xx: records.filter((r) => typeof r.outcome === 'number' && r.outcome >= 500).length,
    errors,
    failed: records.filter(isFailure).length,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
    recoveryMs,
    longestGapMs: round(longestGapMs),
  };
}

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

/**
 * Issue 10's targets for one fault: kill -9 (and SIGSTOP, which the group sees as the same crash): moved
 * pools answer again within 3 s with max latency <= 3 s, other pools p99 <= 200 ms (latency targets over
 * the event window), no 5xx. SIGTERM and a static-membership restart: 0 failed requests, max latency
 * <= 500 ms. Counts of failures cover the whole measured load. Always: check and ledger clean.
 */
export function evaluateTargets(
  fault: Fault,
  before: Readonly<Record<RequestClass, ClassStats>>,
  event: Readonly<Record<RequestClass, ClassStats>>,
  violations: number,
): TargetResult[] {
  const { moved, other } = event;
  const all = [before.moved, before.other, moved, other];
  const results: TargetResult[] = [];
  const add = (target: string, measured: string, pass: boolean) => results.push({ target, measured, pass });
  if (fault === 'kill9' || fault === 'sigstop') {
    const recovery = moved.recoveryMs;
    add(
      'moved answer again <= 3 s',
      recovery === null ? 'never' : `${recovery} ms`,
      recovery !== null && recovery <= 3000,
    );
    add('moved max <= 3 s', `${moved.maxMs} ms`, moved.maxMs <= 3000);
    add('other p99 <= 200 ms', `${other.p99Ms} ms`, other.p99Ms <= 200);
    const fives = all.reduce((n, s) => n + s.count5xx, 0);
    add('no 5xx', String(fives), fives === 0);
  } else {
    const failed = all.reduce((n, s) => n + s.failed, 0);
    add('0 failed', String(failed), failed === 0);
    const max = Math.max(...all.map((s) => s.maxMs));
    add('max <= 500 ms', `${max} ms`, max <= 500);
  }
  add('check + ledger clean', violations === 0 ? 'clean' : `${violations} violation(s)`, violations === 0);
  return results;
}

/** Per second of due time relative to the fault (negative: before), per class: requests, 2xx, max latency. */
export function perSecond(records: readonly RequestRecord[], faultAt: number) {
  const buckets = new Map<
    string,
    { second: number; cls: RequestClass; n: number; ok: number; maxMs: number }
  >();
  for (const r of records) {
    const second = Math.floor((r.dueAt - faultAt) / 1000);
    const key = `${second}:${r.requestClass}`;
    const b = buckets.get(key) ?? { second, cls: r.requestClass, n: 0, ok: 0, maxMs: 0 };
    b.n++;
    if (isOk(r)) b.ok++;
    if (r.outcome !== 'notSent') b.maxMs = Math.max(b.maxMs, round(r.endAt - r.dueAt));
    buckets.set(key, b);
  }
  return [...buckets.values()].sort((a, b) => a.second - b.second || a.cls.localeCompare(b.cls));
}
