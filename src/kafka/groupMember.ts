// The processor's consumer-group member: cooperative-sticky assignment (a rebalance moves only the
// partitions that change owner; the others keep being processed), optional static membership, and
// rebalance events handed to the caller's loop instead of being applied behind its back:
//   - assigned partitions are assigned at once but paused, until the caller's task for them is ready;
//   - revoked partitions are given up only when the caller says so (after committing what it has).
import type { LibrdKafkaError, TopicPartition } from '@confluentinc/kafka-javascript';
import type { Kafka } from './client';
import { RdConsumer } from './rdConsumer';

export type RebalanceEvent =
  | { readonly kind: 'assigned'; readonly partitions: readonly number[] }
  /** `lost`: the group moved on without us (session timeout); nothing of these may be committed. */
  | { readonly kind: 'revoked'; readonly partitions: readonly number[]; readonly lost: boolean };

export interface GroupMemberOptions {
  readonly groupId: string;
  /** `client.id` of the member as other members see it in DescribeGroups (processors: the transactional id). */
  readonly clientId?: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  /** `group.instance.id`: a restart within the session timeout keeps this member's partitions. */
  readonly instanceId: string | null;
  /** A cycle (or a revocation) taking longer than this makes the member leave the group. */
  readonly maxPollIntervalMs: number;
}

const ASSIGN = -175;
/** librdkafka's logical offset for the start of a partition. */
const OFFSET_BEGINNING = -2;
const REVOKE = -174;

export class GroupMember {
  private readonly events: RebalanceEvent[] = [];
  private failure: Error | null = null;

  private constructor(
    readonly consumer: RdConsumer,
    private readonly topic: string,
  ) {}

  static async join(kafka: Kafka, options: GroupMemberOptions): Promise<GroupMember> {
    let member: GroupMember | null = null;
    const early: Array<[LibrdKafkaError, TopicPartition[]]> = [];
    const consumer = await RdConsumer.connect(kafka, {
      'group.id': options.groupId,
      ...(options.clientId ? { 'client.id': options.clientId } : {}),
      'partition.assignment.strategy': 'cooperative-sticky',
      'session.timeout.ms': options.sessionTimeoutMs,
      // Frequent heartbeats: a member learns of a rebalance (a leave, a join, a crash detected) within one.
      'heartbeat.interval.ms': Math.max(100, Math.floor(options.sessionTimeoutMs / 10)),
      'max.poll.interval.ms': options.maxPollIntervalMs,
      ...(options.instanceId ? { 'group.instance.id': options.instanceId } : {}),
      'fetch.wait.max.ms': 10,
      'fetch.min.bytes': 1,
      'queued.max.messages.kbytes': 16_384,
      rebalance_cb: (err: LibrdKafkaError, assignment: TopicPartition[]) => {
        if (member) member.onRebalance(err, assignment);
        else early.push([err, assignment]);
      },
    });
    member = new GroupMember(consumer, options.topic);
    for (const [err, assignment] of early) member.onRebalance(err, assignment);
    consumer.client.subscribe([options.topic]);
    return member;
  }

  private onRebalance(err: LibrdKafkaError, assignment: TopicPartition[]): void {
    const partitions = assignment.filter((tp) => tp.topic === this.topic).map((tp) => tp.partition);
    try {
      if (err.code === ASSIGN) {
        // An explicit start offset starts the partition's fetcher at once. Without one librdkafka first
        // fetches the group's committed offset, and until that answers (it waits while a transaction
        // holds the offset; a partition-level error leaves it waiting until the partition is reassigned)
        // the partition cannot be sought, so its task could never start. The task reads the committed
        // offset itself and seeks there; the few records fetched before the pause are dropped by the seek.
        this.consumer.client.incrementalAssign(
          assignment.map(({ topic, partition }) => ({ topic, partition, offset: OFFSET_BEGINNING })),
        );
        this.consumer.pause(assignment);
        this.push({ kind: 'assigned', partitions });
      } else if (err.code === REVOKE && this.closing) {
        this.consumer.client.incrementalUnassign(assignment);
      } else if (err.code === REVOKE) {
        this.push({ kind: 'revoked', partitions, lost: this.consumer.client.assignmentLost() });
        this.pendingRevocation.push(assignment);
      } else {
        this.failure = new Error(`rebalance failed: ${err.message}`);
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
    }
  }

  private readonly pendingRevocation: TopicPartition[][] = [];
  private closing = false;

  private push(event: RebalanceEvent): void {
    this.events.push(event);
  }

  /** Rebalance events since the last call, oldest first. */
  takeEvents(): RebalanceEvent[] {
    if (this.failure) throw this.failure;
    return this.events.splice(0);
  }

  /** Gives up every revoked partition handed out by takeEvents (call after committing their work). */
  completeRevocations(): void {
    for (const assignment of this.pendingRevocation.splice(0)) {
      try {
        this.consumer.client.incrementalUnassign(assignment);
      } catch {
        // Not connected any more (shutting down): nothing to give up.
      }
    }
  }

  /**
   * Makes a partition's fetches start at `offset` (null: the beginning of the partition, for a task that
   * has processed nothing yet) and resumes it. Always a seek: after an aborted cycle the consumer has
   * already moved past the commands that must be fetched again.
   */
  async resumeAt(partition: number, offset: number | null): Promise<void> {
    await this.consumer.seek(this.topic, partition, offset ?? OFFSET_BEGINNING);
    this.consumer.resume([{ topic: this.topic, partition }]);
  }

  pause(partitions: readonly number[]): void {
    this.consumer.pause(partitions.map((partition) => ({ topic: this.topic, partition })));
  }

  /** Leaves the group (a static member only disconnects: its partitions wait for the session timeout). */
  async leave(): Promise<void> {
    this.closing = true;
    this.completeRevocations();
    try {
      this.consumer.client.unsubscribe();
    } catch {
      // already disconnected
    }
    await this.consumer.disconnect();
  }
}
