// The topics of DESIGN.md section 3: names (with the configured prefix), partitioning and cleanup.

export interface TopicNames {
  readonly commands: string;
  readonly events: string;
  readonly poolState: string;
  readonly reservations: string;
  /** Markers of expired pools (ADR 12). */
  readonly expiredPools: string;
  readonly taskPositions: string;
  readonly commandResults: string;
  readonly deadLetters: string;
}

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** Topic configs beyond cleanup.policy, as Kafka names them. */
  readonly configs: Readonly<Record<string, string>>;
  readonly purpose: string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    commands: `${prefix}.commands`,
    events: `${prefix}.events`,
    poolState: `${prefix}.pool-state`,
    reservations: `${prefix}.reservations`,
    expiredPools: `${prefix}.expired-pools`,
    taskPositions: `${prefix}.task-positions`,
    commandResults: `${prefix}.command-results`,
    deadLetters: `${prefix}.dead-letters`,
  };
}

/**
 * The changelogs a processor task restores its state from and standbys follow, one partition each: pool
 * states, reservations and expired-pool markers. (Task positions are task metadata, not state.)
 */
export function changelogTopics(names: TopicNames): string[] {
  return [names.poolState, names.reservations, names.expiredPools];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Topic configs that make acks=all mean what it says for a replication factor. With RF >= 3,
 * `min.insync.replicas=2`: a write (and a transaction's commit) is acknowledged only once a follower has it
 * too, so losing the leader loses no acknowledged record; one broker may be down and writes go on. With
 * RF 2 nothing is set (the broker default, normally 1): 2 would stop every write, transactions included,
 * whenever either broker restarts, and 1 lets the leader alone acknowledge once the follower drops out of
 * the ISR; neither is durable and available at once, so run RF 3 in production. RF 1 has no choice.
 */
export function durabilityConfigs(replicationFactor: number): Readonly<Record<string, string>> {
  return replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {};
}

/**
 * Every topic the service needs. All have the same partition count: changelogs are written to the
 * partition of the task that owns the pool, so they must have as many partitions as the command topic.
 * Pass the replication factor the topics are created with, for `durabilityConfigs`.
 */
export function topicSpecs(prefix: string, partitions: number, replicationFactor = 1): readonly TopicSpec[] {
  const names = topicNames(prefix);
  const compact = { 'min.compaction.lag.ms': '0', 'segment.ms': String(DAY_MS) };
  const durability = durabilityConfigs(replicationFactor);
  const specs: TopicSpec[] = [
    {
      name: names.commands,
      partitions,
      cleanupPolicy: 'delete',
      configs: { 'retention.ms': String(7 * DAY_MS) },
      purpose: 'commands, key = pool id',
    },
    {
      name: names.events,
      partitions,
      cleanupPolicy: 'delete',
      configs: { 'retention.ms': '-1' },
      purpose: 'event journal, key = pool id, kept forever',
    },
    {
      name: names.poolState,
      partitions,
      cleanupPolicy: 'compact',
      configs: compact,
      purpose: 'pool state changelog, key = pool id',
    },
    {
      name: names.reservations,
      partitions,
      cleanupPolicy: 'compact',
      configs: compact,
      purpose: 'reservation changelog, key = reservation id',
    },
    {
      name: names.expiredPools,
      partitions,
      cleanupPolicy: 'compact',
      configs: compact,
      purpose: 'expired pool markers, key = pool id',
    },
    {
      name: names.taskPositions,
      partitions,
      cleanupPolicy: 'compact',
      configs: compact,
      purpose: 'input position per task, key = partition',
    },
    {
      name: names.commandResults,
      partitions,
      cleanupPolicy: 'delete',
      configs: { 'retention.ms': String(DAY_MS) },
      purpose: 'one outcome per command, key = command id',
    },
    {
      name: names.deadLetters,
      partitions,
      cleanupPolicy: 'delete',
      configs: { 'retention.ms': String(14 * DAY_MS) },
      purpose: 'undecodable or invalid commands with the reason in headers',
    },
  ];
  return specs.map((spec) => ({ ...spec, configs: { ...spec.configs, ...durability } }));
}
