// Split brain, judged from the journal (pure). A processor cut off from the network for longer than its
// session timeout loses its partitions to the others; whatever it decides meanwhile must never become
// visible. Every record carries its writer (`capacity-writer`: host and pid) and every event the time its
// processor stamped on the command, so: no committed event of the isolated writer is stamped during the cut,
// and on no partition does an event of the isolated writer stamped before the heal come after (by offset)
// an event another writer stamped during the cut: that would be the zombie's late commit.
import type { JournalEvent } from './journalView';

export interface Isolation {
  readonly writer: string;
  /** Wall-clock ms: link down, link up. */
  readonly cutAt: number;
  readonly healedAt: number;
}

/** Stamps within this long after the cut may belong to a commit already on its way when the link went down. */
const IN_FLIGHT_MS = 250;

/** How long before a cut the isolated writer's events show it owned partitions (so a takeover was due). */
const OWNED_BEFORE_MS = 30_000;

/**
 * Events must be in (partition, offset) order. Also a violation: a cut of a writer that owned partitions
 * without any takeover seen during it (the partition proved nothing, or nobody took over).
 */
export function checkIsolation(
  events: readonly JournalEvent[],
  isolations: readonly Isolation[],
): { violations: string[]; takeovers: number[] } {
  const violations: string[] = [];
  const takeovers: number[] = [];
  for (const cut of isolations) {
    const during = (e: JournalEvent) =>
      e.envelope.occurredAt > cut.cutAt + IN_FLIGHT_MS && e.envelope.occurredAt < cut.healedAt;
    const takenOver = new Map<number, number>(); // partition -> first offset another writer stamped during the cut
    for (const e of events) {
      if (e.writer === cut.writer) {
        if (during(e))
          violations.push(
            `${e.writer} was cut off, yet its event ${e.envelope.poolId} v${e.envelope.version} stamped ${new Date(e.envelope.occurredAt).toISOString()} is committed (partition ${e.partition}, offset ${e.offset})`,
          );
        const after = takenOver.get(e.partition);
        if (after !== undefined && e.offset > after && e.envelope.occurredAt < cut.healedAt)
          violations.push(
            `${e.writer} committed ${e.envelope.poolId} v${e.envelope.version} (stamped before the heal) after the new owner's records on partition ${e.partition} (offset ${e.offset} > ${after})`,
          );
      } else if (during(e) && !takenOver.has(e.partition)) takenOver.set(e.partition, e.offset);
    }
    const owned = new Set(
      events
        .filter(
          (e) =>
            e.writer === cut.writer &&
            e.envelope.occurredAt > cut.cutAt - OWNED_BEFORE_MS &&
            e.envelope.occurredAt <= cut.cutAt,
        )
        .map((e) => e.partition),
    );
    const taken = [...owned].filter((p) => takenOver.has(p)).length;
    takeovers.push(taken);
    if (owned.size > 0 && taken === 0)
      violations.push(
        `${cut.writer} wrote to partitions ${[...owned].join(', ')} before its cut, but no other writer took any of them over during the cut`,
      );
  }
  return { violations, takeovers };
}
