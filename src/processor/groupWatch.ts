// What a processor learns from watching its consumer group (DescribeGroups every `refreshMs` and after
// each rebalance): where its standby replicas go, and, when it is handed partitions of a member that is no
// longer in the group, that member's transactional id to fence, so the transaction the dead member left
// open is aborted now instead of after `transaction.timeout.ms`.
import { describeError } from '../errors';
import { fenceTransactionalId, GroupDescriber, type GroupMemberView, type Kafka } from '../kafka';
import type { Logger } from '../observability';
import type { ProcessorMetrics } from './processorMetrics';
import type { StandbyReplicas } from './standbyReplicas';
import { lostOwners, rememberOwners, standbyPartitions } from './standbyPlacement';

export interface GroupWatchOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  /** This instance's client id in the group (its transactional id). */
  readonly self: string;
  readonly partitionCount: number;
  /** Standby copies per partition (0 = none). */
  readonly standbyReplicas: number;
  readonly transactionTimeoutMs: number;
  readonly refreshMs: number;
  readonly standbys: StandbyReplicas;
  /** Partitions this instance owns or is taking over: never followed as a standby. */
  readonly owned: () => ReadonlySet<number>;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
}

export class GroupWatch {
  /** Per partition, the last member other than this one seen owning it. */
  private readonly lastOwners = new Map<number, string>();
  private describer: GroupDescriber | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: GroupWatchOptions) {
    this.log = options.logger.child({ component: 'group-watch' });
  }

  start(): void {
    this.options.standbys.start();
    const tick = () => {
      if (this.stopped) return;
      void this.refresh().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.refreshMs);
      });
    };
    tick();
  }

  /** Re-reads the membership and moves standby copies to match; concurrent calls share one refresh. */
  refresh(): Promise<void> {
    this.refreshing ??= this.describeAndPlace().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /**
   * Partitions were just assigned to this instance: fences the transactional id of each one's previous
   * owner that has left the group, then re-places the standbys.
   */
  async onAssigned(partitions: readonly number[]): Promise<void> {
    const lastOwners = new Map(this.lastOwners);
    try {
      const now = await this.describe();
      for (const transactionalId of lostOwners(lastOwners, now, partitions, this.options.self)) {
        const started = Date.now();
        await fenceTransactionalId(this.options.kafka, transactionalId, this.options.transactionTimeoutMs);
        this.options.metrics.fencedOwners.inc();
        this.log.info(
          { transactionalId, partitions, ms: Date.now() - started },
          'fenced a lost member: its open transaction is aborted',
        );
      }
    } catch (error) {
      this.log.warn(
        { err: describeError(error), partitions },
        'could not fence the previous owner; its open transaction ends at its timeout',
      );
    }
    await this.refresh();
  }

  private async describeAndPlace(): Promise<void> {
    try {
      const members = await this.describe();
      const { self, standbyReplicas, partitionCount, owned } = this.options;
      const placed = standbyPartitions(members, self, standbyReplicas, partitionCount);
      for (const partition of owned()) placed.delete(partition);
      if (!this.stopped) await this.options.standbys.follow(placed);
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'group membership not read; standbys unchanged');
    }
  }

  private async describe(): Promise<GroupMemberView[]> {
    this.describer ??= await GroupDescriber.connect(this.options.kafka);
    const members = await this.describer.members(this.options.groupId, this.options.topic);
    rememberOwners(this.lastOwners, members, this.options.self);
    return members;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.refreshing;
    await this.options.standbys.stop();
    await this.describer?.close();
  }
}
