// What the HTTP benchmark concludes from its steps, and how it prints them: a table per shape with the
// service and the baseline side by side, their saturation rates, and the overload step.
import type { OpenLoopResult } from './openLoop';
import type { TargetName } from './httpTargets';

export type Shape = 'uniform' | 'hot';

export interface Step {
  readonly shape: Shape | 'availability';
  readonly kind: 'rate' | 'overload';
  readonly rate: number;
  readonly results: Partial<Record<TargetName, OpenLoopResult>>;
}

export interface SaturationRule {
  /** achieved / offered at least this. */
  readonly minAchievedFraction: number;
  /** p99 of successful requests below this. */
  readonly maxP99Ms: number;
}

export const describeRule = (rule: SaturationRule) =>
  `saturation = highest offered rate whose achieved rate >= ${Math.round(rule.minAchievedFraction * 100)}% ` +
  `of offered with p99 of successful requests < ${rule.maxP99Ms} ms`;

export const sustains = (r: OpenLoopResult, rule: SaturationRule): boolean =>
  r.achievedPerSec >= rule.minAchievedFraction * r.offeredPerSec && r.latency.ok.p99Ms < rule.maxP99Ms;

/** The highest rate step that `target` sustained, or null if it sustained none. */
export function saturation(steps: readonly Step[], target: TargetName, rule: SaturationRule): number | null {
  const ok = steps
    .filter((s) => s.kind === 'rate' && s.results[target] && sustains(s.results[target], rule))
    .map((s) => s.rate);
  return ok.length > 0 ? Math.max(...ok) : null;
}

const num = (n: number, width: number, digits = 0) => n.toFixed(digits).padStart(width);
const ERR_NOTE =
  'err = connection errors + client timeouts + statuses other than 2xx/409/503/504; ' +
  'unsent = due while max-outstanding requests were in flight (failed, never sent)';
const errorsOf = (r: OpenLoopResult) => r.errors + r.timeouts + r.otherStatus;

const WIDTH = 65;

function cells(r: OpenLoopResult | undefined): string {
  if (!r) return ' '.repeat(WIDTH);
  const l = r.latency.ok;
  return [
    num(r.achievedPerSec, 8),
    num(l.p50Ms, 7, 1),
    num(l.p99Ms, 8, 1),
    num(l.maxMs, 8, 1),
    num(r.conflict, 6),
    num(r.shed, 6),
    num(r.serverTimeout, 6),
    num(errorsOf(r), 6),
    num(r.notSent, 7),
  ].join('');
}

export function printTable(title: string, steps: readonly Step[]): void {
  const head = '  achieved  p50 ms  p99 ms  max ms   409   503   504   err unsent';
  console.log(`\n${title}`);
  console.log(`${''.padEnd(10)}| ${'service'.padEnd(WIDTH)}| baseline (row lock)`);
  console.log(`${'offered/s'.padEnd(10)}|${head}|${head}`);
  for (const s of steps) {
    const label = s.kind === 'overload' ? `${s.rate}*` : String(s.rate);
    console.log(`${label.padStart(9)} |${cells(s.results.service)}|${cells(s.results.baseline)}`);
  }
  const lagging = steps.flatMap((s) =>
    Object.entries(s.results)
      .filter(([, r]) => r && r.maxSendLagMs > 100)
      .map(([t, r]) => `${t}@${s.rate}/s ${r?.maxSendLagMs} ms`),
  );
  if (lagging.length > 0)
    console.log(`  ! the load generator itself fell behind (max send lag): ${lagging.join(', ')}`);
}

export interface ShapeSummary {
  readonly shape: Shape;
  readonly saturation: Record<TargetName, number | null>;
  /** service saturation / baseline saturation. */
  readonly ratio: number | null;
  readonly overload: {
    readonly rate: number;
    readonly basis: string;
    readonly p99AcceptedMs: Partial<Record<TargetName, number | null>>;
    /** null: no 503 at all. */
    readonly p99ShedMs: Partial<Record<TargetName, number | null>>;
  } | null;
}

export function summarizeShape(shape: Shape, steps: readonly Step[], rule: SaturationRule): ShapeSummary {
  const service = saturation(steps, 'service', rule);
  const baseline = saturation(steps, 'baseline', rule);
  const overloadStep = steps.find((s) => s.kind === 'overload');
  const pick = (f: (r: OpenLoopResult) => number | null) =>
    Object.fromEntries(
      Object.entries(overloadStep?.results ?? {}).map(([t, r]) => [t, r ? f(r) : null]),
    ) as Partial<Record<TargetName, number | null>>;
  return {
    shape,
    saturation: { service, baseline },
    ratio: service !== null && baseline !== null ? Math.round((service / baseline) * 100) / 100 : null,
    overload: overloadStep
      ? {
          rate: overloadStep.rate,
          basis: service !== null ? '2x service saturation' : '2x lowest rate (service sustained none)',
          p99AcceptedMs: pick((r) => (r.ok > 0 ? r.latency.ok.p99Ms : null)),
          p99ShedMs: pick((r) => (r.shed > 0 ? r.latency.shed.p99Ms : null)),
        }
      : null,
  };
}

export function printSummary(s: ShapeSummary, steps: readonly Step[]): void {
  const rate = (r: number | null) => (r === null ? 'none of the rates' : `${r}/s`);
  const ratio = s.ratio === null ? 'n/a' : `${s.ratio}x`;
  console.log(
    `  saturation: service ${rate(s.saturation.service)}, baseline ${rate(s.saturation.baseline)}, ratio service/baseline ${ratio}`,
  );
  const overloadStep = steps.find((st) => st.kind === 'overload');
  if (!s.overload || !overloadStep) return;
  for (const [target, r] of Object.entries(overloadStep.results)) {
    if (!r) continue;
    console.log(
      `  overload* ${s.overload.rate}/s (${s.overload.basis}), ${target}: p99 accepted ${r.latency.ok.p99Ms} ms ` +
        `(${r.ok}), p99 of 503 ${r.shed > 0 ? `${r.latency.shed.p99Ms} ms` : '-'} (${r.shed}), failed ${r.failed}/${r.scheduled}`,
    );
  }
}

export function printNotes(rule: SaturationRule): void {
  console.log(`\n${describeRule(rule)}`);
  console.log("latency from each request's scheduled start (open loop); p50/p99/max of 2xx answers only");
  console.log(`achieved = 2xx per second; ${ERR_NOTE}`);
}
