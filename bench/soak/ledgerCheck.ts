// The clients' ledger against the journal and the reservations changelog (pure). What a client was told must
// be what the service holds: every reservation answered 2xx exists exactly once, for the key it was asked
// with, and is reserved unless its release was answered 200, in which case it is released; one key never
// gets two reservations; a reserve refused with a 4xx left nothing behind; a release of a reservation the
// client holds is never refused. Attempts without a definite answer (timeout, 5xx) may or may not have
// happened, and only the rules that hold either way are applied to them.
import type { JournalView } from './journalView';
import { definite, type Attempt } from './workload';

export interface LedgerFigures {
  readonly reservationsAnswered: number;
  readonly releasesAnswered: number;
  /** In the journal, for a key whose attempts all went unanswered (the service did it; the client never heard). */
  readonly appliedWithoutAnswer: number;
}

export interface LedgerCheck {
  readonly figures: LedgerFigures;
  readonly violations: readonly string[];
}

const is2xx = (a: Attempt) => typeof a.outcome === 'number' && a.outcome >= 200 && a.outcome < 300;

export function checkLedger(attempts: readonly Attempt[], journal: JournalView): LedgerCheck {
  const violations: string[] = [];
  const reservedBy = new Map<string, { count: number; requestId: string }>();
  const reservationsOfKey = new Map<string, string[]>();
  const releases = new Map<string, number>();
  for (const { envelope } of journal.events) {
    const event = envelope.event;
    if (event.type === 'CapacityReserved') {
      const seen = reservedBy.get(event.reservationId);
      reservedBy.set(event.reservationId, { count: (seen?.count ?? 0) + 1, requestId: event.requestId });
      reservationsOfKey.set(event.requestId, [
        ...(reservationsOfKey.get(event.requestId) ?? []),
        event.reservationId,
      ]);
    } else if (event.type === 'CapacityReleased')
      releases.set(event.reservationId, (releases.get(event.reservationId) ?? 0) + 1);
  }
  for (const [key, ids] of reservationsOfKey)
    if (ids.length > 1)
      violations.push(`key ${key}: ${ids.length} reservations in the journal (${ids.join(', ')})`);

  const byKey = new Map<string, Attempt[]>();
  for (const a of attempts) if (a.op !== 'read') byKey.set(a.key, [...(byKey.get(a.key) ?? []), a]);
  const releaseAttempts = new Map<string, Attempt[]>();
  let appliedWithoutAnswer = 0;
  const held = new Set<string>();
  for (const [key, tries] of byKey) {
    const first = tries[0] as Attempt;
    if (first.op === 'release') {
      const id = first.reservationId as string;
      releaseAttempts.set(id, [...(releaseAttempts.get(id) ?? []), ...tries]);
      continue;
    }
    const answered = new Set(tries.filter(is2xx).map((a) => a.reservationId ?? '(none)'));
    const inJournal = reservationsOfKey.get(key) ?? [];
    if (answered.size > 1)
      violations.push(
        `key ${key}: answered with ${answered.size} reservations (${[...answered].join(', ')})`,
      );
    for (const id of answered) {
      held.add(id);
      const entry = reservedBy.get(id);
      if (!entry) violations.push(`reservation ${id} (answered to ${key}): not in the journal`);
      else if (entry.count !== 1) violations.push(`reservation ${id}: ${entry.count} times in the journal`);
      else if (entry.requestId !== key)
        violations.push(`reservation ${id}: journal has key ${entry.requestId}, answered to ${key}`);
    }
    if (answered.size === 0) {
      const refused = tries.find((a) => definite(a.outcome) && !is2xx(a));
      if (refused && inJournal.length > 0)
        violations.push(
          `key ${key}: refused ${String(refused.outcome)} ${refused.code ?? ''} but reserved in the journal as ${inJournal.join(', ')}`,
        );
      if (!refused && inJournal.length > 0) appliedWithoutAnswer++;
    }
  }

  let releasesAnswered = 0;
  for (const id of held) {
    const tries = releaseAttempts.get(id) ?? [];
    const released = tries.some((a) => a.outcome === 200);
    const unknown = tries.some((a) => !definite(a.outcome));
    const refused = tries.find((a) => definite(a.outcome) && !is2xx(a));
    if (released) releasesAnswered++;
    if (refused)
      violations.push(
        `reservation ${id}: its release was refused ${String(refused.outcome)} ${refused.code ?? ''}`,
      );
    const status = journal.reservations.get(id);
    const releasedInJournal = releases.get(id) ?? 0;
    if (releasedInJournal > 1)
      violations.push(`reservation ${id}: released ${releasedInJournal} times in the journal`);
    if (status === undefined || status === null) {
      violations.push(
        `reservation ${id}: ${status === null ? 'a tombstone' : 'nothing'} in the reservations changelog`,
      );
      continue;
    }
    if (released && (status.status !== 'released' || releasedInJournal !== 1))
      violations.push(
        `reservation ${id}: release answered 200, but the changelog says ${status.status} (${releasedInJournal} releases in the journal)`,
      );
    if (!released && !unknown && (status.status !== 'reserved' || releasedInJournal !== 0))
      violations.push(
        `reservation ${id}: never released by the client, but the changelog says ${status.status}`,
      );
  }
  return {
    figures: { reservationsAnswered: held.size, releasesAnswered, appliedWithoutAnswer },
    violations,
  };
}
