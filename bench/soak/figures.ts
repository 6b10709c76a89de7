// The soak's figures from the ledger (pure): answers by operation and outcome, latency of definite answers
// from each request's scheduled time, and the longest unavailability each kind of fault caused. A client
// class is one gateway's writes to one partition, or one gateway's reads; it is unavailable from the due
// time of a request that got no definite answer until the due time of the next one that did. A stretch is
// charged to every fault it overlaps (from the fault's start until 10 s after the service was whole again),
// or to "no fault".
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

const AFTERMATH_MS = 10_000;

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
  const charge = (kind: string, ms: number, where: string) => {
    if (ms > (unavailability[kind]?.ms ?? -1)) unavailability[kind] = { ms: Math.round(ms), where };
  };
  for (const [name, list] of classes) {
    const sorted = [...list].sort((x, y) => x.dueAt - y.dueAt);
    let start: Attempt | null = null;
    let last: Attempt | null = null;
    const close = (until: number) => {
      if (!start) return;
      const [from, to] = [start.dueAt, until];
      const hit = faults.filter(
        (f) => from <= (f.recoveredAt ?? f.endedAt) + AFTERMATH_MS && to >= f.startedAt,
      );
      if (hit.length === 0) charge('no fault', to - from, name);
      for (const f of hit) charge(f.kind, to - from, name);
      start = null;
    };
    for (const a of sorted) {
      if (definite(a.outcome)) close(a.dueAt);
      else start ??= a;
      last = a;
    }
    if (last) close((last as Attempt).endAt);
  }
  const faultsByKind: Record<string, number> = {};
  for (const f of faults) faultsByKind[f.kind] = (faultsByKind[f.kind] ?? 0) + 1;
  return { outcomes, latencyMs, unavailability, faultsByKind };
}
