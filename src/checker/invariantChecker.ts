// Reads everything the processors wrote (read_committed) and verifies the promises of DESIGN.md: versions
// contiguous per pool, never a reservation beyond capacity, exactly one result per command, and changelogs
// that equal the fold of the journal.
import type { Config } from '../config';
import { COMMAND_ID_HEADER, connectSerdes, topicNames, type CommandResult, type Serdes } from '../contracts';
import {
  evolve,
  initialState,
  type EventEnvelope,
  type Pool,
  type PoolState,
  type Reservation,
} from '../domain';
import { describeError } from '../errors';
import { createKafka, readToEnd, type Kafka, type RecordRead } from '../kafka';
import type { Logger } from '../observability';

export interface CheckReport {
  readonly pools: number;
  readonly events: number;
  readonly commands: number;
  readonly results: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly violations: readonly string[];
}

const MAX_LISTED = 50;

async function readAll(
  kafka: Kafka,
  topic: string,
  partitions: number,
  prefix: string,
): Promise<RecordRead[]> {
  const records: RecordRead[] = [];
  const ranges = Array.from({ length: partitions }, (_, partition) => ({
    topic,
    partition,
    fromOffset: null,
  }));
  await readToEnd(kafka, prefix, ranges, async (batch) => {
    records.push(...batch);
  });
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export async function checkInvariants(config: Config, logger: Logger): Promise<CheckReport> {
  const topics = topicNames(config.topicPrefix);
  const kafka = createKafka(config, { clientId: 'capacity-check', logger });
  const serdes: Serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
  const prefix = `${config.applicationId}-check`;
  const [eventRecords, resultRecords, poolRecords, reservationRecords, commandRecords] = await Promise.all([
    readAll(kafka, topics.events, config.partitions, prefix),
    readAll(kafka, topics.commandResults, config.partitions, prefix),
    readAll(kafka, topics.poolState, config.partitions, prefix),
    readAll(kafka, topics.reservations, config.partitions, prefix),
    readAll(kafka, topics.commands, config.partitions, prefix),
  ]);
  const violations: string[] = [];
  const violate = (message: string) => {
    if (violations.length < MAX_LISTED) violations.push(message);
    else if (violations.length === MAX_LISTED) violations.push('… more violations not listed');
  };

  // 1 + 2: fold each pool's journal, checking versions and capacity at every reservation.
  const states = new Map<string, PoolState>();
  for (const record of eventRecords) {
    const event: EventEnvelope = await serdes.event.decode(record.value);
    const before = states.get(event.poolId) ?? initialState;
    const expected = (before.pool?.version ?? 0) + 1;
    if (event.version !== expected) {
      violate(
        `pool ${event.poolId}: event version ${event.version} at ${record.topic}/${record.partition}@${record.offset}, expected ${expected} (duplicate or gap)`,
      );
      continue;
    }
    if (event.event.type === 'CapacityReserved') {
      const pool = before.pool;
      if (!pool || pool.status !== 'open' || pool.reserved + event.event.units > pool.capacity) {
        violate(
          `pool ${event.poolId}: reservation ${event.event.reservationId} of ${event.event.units} accepted with reserved=${pool?.reserved} capacity=${pool?.capacity} status=${pool?.status}`,
        );
      } else if (event.occurredAt >= pool.bookableUntil) {
        violate(
          `pool ${event.poolId}: reservation ${event.event.reservationId} accepted at ${new Date(event.occurredAt).toISOString()}, after the booking cut-off ${new Date(pool.bookableUntil).toISOString()}`,
        );
      }
    }
    try {
      states.set(event.poolId, evolve(before, event));
    } catch (error) {
      violate(
        `pool ${event.poolId}: event version ${event.version} cannot be applied: ${describeError(error)}`,
      );
    }
  }

  // 3: exactly one result per command, and no result for a command that was never sent.
  const commandIds = new Set<string>();
  for (const record of commandRecords) {
    try {
      commandIds.add((await serdes.command.decode(record.value)).commandId);
    } catch {
      const id = record.headers[COMMAND_ID_HEADER];
      if (id) commandIds.add(id);
    }
  }
  const resultCount = new Map<string, number>();
  let accepted = 0;
  for (const record of resultRecords) {
    const result: CommandResult = await serdes.result.decode(record.value);
    resultCount.set(result.commandId, (resultCount.get(result.commandId) ?? 0) + 1);
    if (result.status === 'accepted') accepted++;
  }
  for (const [id, count] of resultCount) {
    if (count > 1) violate(`command ${id}: ${count} results, expected exactly one`);
  }
  const decodableCommands = [...commandIds];
  for (const id of decodableCommands) if (!resultCount.has(id)) violate(`command ${id}: no result`);

  // 4: pool-state changelog (latest per key) equals the fold of the journal.
  const latestPools = new Map<string, Pool | null>();
  for (const record of poolRecords) {
    latestPools.set(
      record.key?.toString() ?? '',
      record.value === null ? null : await serdes.poolState.decode(record.value),
    );
  }
  for (const [poolId, state] of states) {
    const changelog = latestPools.get(poolId);
    if (!state.pool) continue;
    if (state.pool.status === 'expired') {
      // Retired (ADR 12): the changelog's last word on it is a tombstone.
      if (changelog !== null)
        violate(`pool ${poolId}: expired in the journal but not tombstoned in the pool-state changelog`);
      continue;
    }
    if (!changelog) violate(`pool ${poolId}: missing from the pool-state changelog`);
    else if (JSON.stringify(changelog) !== JSON.stringify(state.pool)) {
      violate(
        `pool ${poolId}: changelog ${JSON.stringify(changelog)} differs from the journal's fold ${JSON.stringify(state.pool)}`,
      );
    }
  }
  for (const poolId of latestPools.keys())
    if (!states.has(poolId)) violate(`pool ${poolId}: in the changelog but has no events`);

  // 5: reservations changelog agrees with the journal.
  const folded = new Map<string, Reservation>();
  for (const state of states.values())
    for (const r of Object.values(state.reservations)) folded.set(r.reservationId, r);
  const latestReservations = new Map<string, Reservation | null>();
  for (const record of reservationRecords) {
    latestReservations.set(
      record.key?.toString() ?? '',
      record.value === null ? null : await serdes.reservation.decode(record.value),
    );
  }
  for (const [id, reservation] of folded) {
    const changelog = latestReservations.get(id);
    if (states.get(reservation.poolId)?.pool?.status === 'expired') {
      if (changelog !== null)
        violate(`reservation ${id}: its pool expired but it is not tombstoned in the reservations changelog`);
      continue;
    }
    if (!changelog || JSON.stringify(changelog) !== JSON.stringify(reservation)) {
      violate(
        `reservation ${id}: changelog ${JSON.stringify(changelog ?? null)} differs from the journal's ${JSON.stringify(reservation)}`,
      );
    }
  }
  for (const id of latestReservations.keys())
    if (!folded.has(id)) violate(`reservation ${id}: in the changelog but not in the journal`);

  return {
    pools: states.size,
    events: eventRecords.length,
    commands: commandRecords.length,
    results: resultRecords.length,
    accepted,
    rejected: resultRecords.length - accepted,
    violations,
  };
}
