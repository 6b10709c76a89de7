// Which partitions an instance keeps standby replicas of, and whose transactions to fence at a takeover.
// Pure functions of the group's membership (DescribeGroups), so every instance computes the same answer
// without a custom assignor: librdkafka's cooperative-sticky assignor decides ownership, these decide
// only where the warm copies live.
import { createHash } from 'node:crypto';

/** A group member as placement needs it: its identity (client id = transactional id) and what it owns. */
export interface MemberOwnership {
  readonly clientId: string;
  readonly partitions: readonly number[];
}

/** Rendezvous (highest-random-weight) score: stable per pair, so a member leaving moves only its copies. */
function score(partition: number, clientId: string): string {
  return createHash('sha1').update(`${partition}\u0000${clientId}`).digest('hex');
}

/**
 * The partitions `self` should follow as a standby: for every partition, the `replicas` highest-scoring
 * members other than its owner hold a copy. Never a partition `self` owns; empty when `self` is not in the
 * group yet. Members with the same client id count once.
 */
export function standbyPartitions(
  members: readonly MemberOwnership[],
  self: string,
  replicas: number,
  partitionCount: number,
): Set<number> {
  const result = new Set<number>();
  const ids = [...new Set(members.map((m) => m.clientId))];
  if (replicas <= 0 || !ids.includes(self)) return result;
  const owners = new Map<number, string>();
  for (const m of members) for (const p of m.partitions) owners.set(p, m.clientId);
  for (let partition = 0; partition < partitionCount; partition++) {
    const owner = owners.get(partition);
    if (owner === self) continue;
    const chosen = ids
      .filter((id) => id !== owner)
      .sort((a, b) => (score(partition, a) < score(partition, b) ? 1 : -1))
      .slice(0, replicas);
    if (chosen.includes(self)) result.add(partition);
  }
  return result;
}

/**
 * Remembers, per partition, the last member other than `self` seen owning it (updated in place), so the
 * owner is still known after a rebalance has already given the partition to `self`.
 */
export function rememberOwners(
  lastOwners: Map<number, string>,
  members: readonly MemberOwnership[],
  self: string,
): void {
  for (const m of members) {
    if (m.clientId === self) continue;
    for (const partition of m.partitions) lastOwners.set(partition, m.clientId);
  }
}

/**
 * The transactional ids to fence when `self` is handed `assigned`: each partition's last other owner, if
 * that member is no longer in the group (it crashed or was timed out; a member that is still there
 * handed the partition over after committing).
 */
export function lostOwners(
  lastOwners: ReadonlyMap<number, string>,
  now: readonly MemberOwnership[],
  assigned: readonly number[],
  self: string,
): string[] {
  const present = new Set(now.map((m) => m.clientId));
  const lost = new Set<string>();
  for (const partition of assigned) {
    const owner = lastOwners.get(partition);
    if (owner !== undefined && owner !== self && !present.has(owner)) lost.add(owner);
  }
  return [...lost];
}
