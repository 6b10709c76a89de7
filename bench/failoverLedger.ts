// After a fault: the invariant checker (as `capacity check` runs it) and the generator's own ledger
// against what Kafka holds. Every reservation the generator got a 201 for must be in the journal exactly
// once (one CapacityReserved with that id, carrying the request's idempotency key) and in the
// reservations changelog (latest record per id). Reservations in the journal that the generator never
// saw a 201 for are counted, not violations: a request that timed out (504) may still have been applied.
import { checkInvariants, type CheckReport } from '../src/checker';
import type { Config } from '../src/config';
import { connectSerdes, topicNames } from '../src/contracts';
import { createKafka, readToEnd, type RecordRead } from '../src/kafka';
import { createLogger } from '../src/observability';

/** A 201 answer: the idempotency key sent and the reservation id received. */
export interface Accepted {
  readonly requestId: string;
  readonly reservationId: string;
}

export interface LedgerReport {
  readonly check: CheckReport | null;
  readonly acceptedByGenerator: number;
  readonly reservedInJournal: number;
  /** In the journal, never answered 201 to the generator (timed out or failed requests later applied). */
  readonly inJournalWithout201: number;
  readonly violations: string[];
}

const MAX_LISTED = 20;

async function readTopic(config: Config, topic: string): Promise<RecordRead[]> {
  const kafka = createKafka(config, { clientId: 'failover-ledger', logger: createLogger('error') });
  const records: RecordRead[] = [];
  const ranges = Array.from({ length: config.partitions }, (_, partition) => ({
    topic,
    partition,
    fromOffset: null,
  }));
  await readToEnd(kafka, `${config.applicationId}-ledger`, ranges, async (batch) => {
    records.push(...batch);
  });
  return records;
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The invariant checker, then the generator's 201s against the journal and the reservations changelog. */
export async function checkLedger(
  config: Config,
  accepted: readonly Accepted[],
  timeoutMs: number,
): Promise<LedgerReport> {
  const violations: string[] = [];
  const violate = (message: string) => {
    if (violations.length < MAX_LISTED) violations.push(message);
    else if (violations.length === MAX_LISTED) violations.push('… more ledger violations not listed');
  };
  let check: CheckReport | null = null;
  try {
    check = await bounded(checkInvariants(config, createLogger('error')), timeoutMs, 'capacity check');
    for (const v of check.violations) violations.push(`check: ${v}`);
  } catch (error) {
    violations.push(`check did not complete: ${String(error)}`);
  }

  const topics = topicNames(config.topicPrefix);
  const serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
  const [events, reservations] = await bounded(
    Promise.all([readTopic(config, topics.events), readTopic(config, topics.reservations)]),
    timeoutMs,
    'reading the journal and the reservations changelog',
  );
  const journal = new Map<string, { count: number; requestId: string }>();
  for (const record of events) {
    if (record.value === null) continue;
    const envelope = await serdes.event.decode(record.value);
    if (envelope.event.type !== 'CapacityReserved') continue;
    const { reservationId, requestId } = envelope.event;
    const seen = journal.get(reservationId);
    journal.set(reservationId, { count: (seen?.count ?? 0) + 1, requestId });
  }
  const perRequest = new Map<string, number>();
  for (const { requestId } of journal.values())
    perRequest.set(requestId, (perRequest.get(requestId) ?? 0) + 1);
  for (const [requestId, count] of perRequest)
    if (count > 1) violate(`request ${requestId}: ${count} reservations in the journal, expected one`);
  const changelog = new Map<string, string | null>();
  for (const record of reservations) {
    const id = record.key?.toString() ?? '';
    changelog.set(id, record.value === null ? null : (await serdes.reservation.decode(record.value)).status);
  }

  const answered = new Map<string, string>();
  for (const a of accepted) {
    const other = answered.get(a.reservationId);
    if (other !== undefined && other !== a.requestId)
      violate(`reservation ${a.reservationId}: answered 201 to two requests (${other}, ${a.requestId})`);
    answered.set(a.reservationId, a.requestId);
    const inJournal = journal.get(a.reservationId);
    if (!inJournal) violate(`reservation ${a.reservationId} (201 to ${a.requestId}): not in the journal`);
    else if (inJournal.count !== 1)
      violate(`reservation ${a.reservationId}: ${inJournal.count} times in the journal, expected once`);
    else if (inJournal.requestId !== a.requestId)
      violate(
        `reservation ${a.reservationId}: journal has request ${inJournal.requestId}, 201 was for ${a.requestId}`,
      );
    const status = changelog.get(a.reservationId);
    if (status !== 'reserved')
      violate(
        `reservation ${a.reservationId}: reservations changelog has ${status === undefined ? 'nothing' : String(status)}, expected reserved`,
      );
  }
  return {
    check,
    acceptedByGenerator: accepted.length,
    reservedInJournal: journal.size,
    inJournalWithout201: [...journal.keys()].filter((id) => !answered.has(id)).length,
    violations,
  };
}
