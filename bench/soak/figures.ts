// The soak's figures from the ledger (pure): answers by operation and outcome, latency of definite answers
// from each request's scheduled time, and the longest unavailability each kind of fault caused. A client
// class is one gateway's writes to one partition, or one gateway's reads. A client that sends a request at
// time t waits until a definite answer (2xx, 4xx) comes to it or to a later request of its class: a slow
// answer and a failed one both count, and the longest such wait is the class's unavailability. A wait is
// charged to the fault under way when it began (from the fault's start until 5 s after the service was
// whole again; faults come one at a time), or to "no fault".
import type { FaultRecord } from './faults';
import { definite, type Attempt, type Op } from './workload';

export interface Figures {
  /** op -> outcome (HTTP status, or error/timeout/notSent) -> count. */
  readonly outcomes: Record<Op, Record<string, number>>;
  readonly latencyMs: Record<Op, { count: number; p50: number; p99: number; max: number }>;
  /** Longest unavailability in ms per fault kind (and "no fault"), with the class it hit. */
  readonly unavailability: Record<string, { ms: number; where: string }>;
  readonly faultsByKind: Record<string, number>;
}

const AFTERMATH_MS = 5000;

/** The fault under way at `at`, if any. */
function activeFault(faults: readonly FaultRecord[], at: number): FaultRecord | undefined {
  return faults.find((f) => f.startedAt <= at && at <= (f.recoveredAt ?? f.endedAt) + AFTERMATH_MS);
}

/**
 * For each request of a class, from its due time: how long until a definite answer arrived for it or for
 * a request due after it (the class's requests in due order; the last ones wait until their own end).
 */
function waits(list: readonly Attempt[]): Array<{ from: number; ms: number }> {
  const sorted = [...list].sort((x, y) => x.dueAt - y.dueAt);
  const out: Array<{ from: number; ms: number }> = [];
  let firstAnswer = Number.POSITIVE_INFINITY;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const a = sorted[i] as Attempt;
    if (definite(a.outcome)) firstAnswer = Math.min(firstAnswer, a.endAt);
    const until = Number.isFinite(firstAnswer) ? firstAnswer : a.endAt;
    out.push({ from: a.dueAt, ms: until - a.dueAt });
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function computeFigures(
  attempts: readonly Attempt[],
  faults: readonly FaultRecord[],
  partitionOf: (poolId: string) => number,
): Figures {
  const ops: Op[] = ['reserve', 'release', 'read'];
  const outcomes = Object.fromEntries(
    ops.map((op) => [op, {} as Record<string, number>]),
  ) as Figures['outcomes'];
  const latencies = Object.fromEntries(ops.map((op) => [op, [] as number[]])) as Record<Op, number[]>;
  const classes = new Map<string, Attempt[]>();
  for (const a of attempts) {
    const bucket = outcomes[a.op];
    bucket[String(a.outcome)] = (bucket[String(a.outcome)] ?? 0) + 1;
    if (definite(a.outcome)) latencies[a.op].push(a.endAt - a.dueAt);
    const name =
      a.op === 'read' ? `g${a.gateway} reads` : `g${a.gateway} writes to partition ${partitionOf(a.poolId)}`;
    classes.set(name, [...(classes.get(name) ?? []), a]);
  }
  const latencyMs = Object.fromEntries(
    ops.map((op) => {
      const sorted = latencies[op].sort((x, y) => x - y);
      const round = (n: number) => Math.round(n * 10) / 10;
      return [
        op,
        {
          count: sorted.length,
          p50: round(percentile(sorted, 50)),
          p99: round(percentile(sorted, 99)),
          max: round(sorted.at(-1) ?? 0),
        },
      ];
    }),
  ) as Figures['latencyMs'];

  const unavailability: Figures['unavailability'] = {};
  for (const [name, list] of classes)
    for (const { from, ms } of waits(list)) {
      const kind = activeFault(faults, from)?.kind ?? 'no fault';
      if (ms > (unavailability[kind]?.ms ?? -1)) unavailability[kind] = { ms: Math.round(ms), where: name };
    }
  const faultsByKind: Record<string, number> = {};
  for (const f of faults) faultsByKind[f.kind] = (faultsByKind[f.kind] ?? 0) + 1;
  return { outcomes, latencyMs, unavailability, faultsByKind };
}
