// The processor process (exactly-once v2, docs/adr/0004-processor-transactions.md): one consumer-group
// member and one transactional producer for the whole instance, one PartitionTask per owned partition
// (TaskSet), warm standby copies of partitions other instances own (StandbyReplicas, placed by GroupWatch,
// docs/adr/0009-standby-replicas.md), and one loop: apply rebalance events, fetch from every ready
// partition, run a cycle (one transaction), and start the next cycle as soon as the commit returns.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Config } from '../config';
import { connectSerdes, topicNames, topicSpecs, type TopicNames } from '../contracts';
import { describeError } from '../errors';
import {
  createKafka,
  ensureTopicsOrThrow,
  GroupMember,
  isFatalClientError,
  OffsetReader,
  partitionForKey,
  TransactionalWriter,
  TransactionError,
  type Kafka,
} from '../kafka';
import { startHealthServer, type HealthReport, type HealthServer, type Logger } from '../observability';
import { InstanceLock } from '../state';
import type { RawCommand } from './commandHandler';
import { runCycle, runPunctuation, type CycleDeps } from './commitCycle';
import { GroupWatch } from './groupWatch';
import type { PartitionTask, TaskDeps } from './partitionTask';
import { healthReport, updateLag } from './processorHealth';
import { ProcessorMetrics } from './processorMetrics';
import { StandbyReplicas } from './standbyReplicas';
import { TaskSet } from './taskSet';

export interface ProcessorOptions {
  /** A task initialising longer than this, or cycles failing for longer, makes /healthz unhealthy. */
  readonly stuckAfterMs?: number;
  /**
   * The time stamped on commands, events and results, and against which cut-offs and expiry are decided
   * (default: the system clock). Tests inject a simulated clock; the punctuation still runs on wall time.
   */
  readonly clock?: () => number;
  /**
   * Called once when the consumer has failed for good (librdkafka's fatal error, e.g. a static member fenced
   * by the coordinator after a broker failover): the loop has stopped; the caller stops the processor and
   * exits so its supervisor starts it again (it rejoins with the same instance id). Default: log only.
   */
  readonly onFatal?: (error: Error) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Processor {
  private tasks: TaskSet | null = null;
  private watch: GroupWatch | null = null;
  private readonly metrics = new ProcessorMetrics();
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly topics: TopicNames;
  private member: GroupMember | null = null;
  private writer: TransactionalWriter | null = null;
  private offsets: OffsetReader | null = null;
  private lock: InstanceLock | null = null;
  private health: HealthServer | null = null;
  private loop: Promise<void> = Promise.resolve();
  private failingSince: number | null = null;
  private lagUpdatedAt = 0;
  private lastFailure: string | null = null;
  private stopping = false;

  constructor(
    private readonly config: Config,
    logger: Logger,
    private readonly options: ProcessorOptions = {},
  ) {
    this.log = logger.child({ component: 'processor' });
    this.kafka = createKafka(config, { clientId: `${config.applicationId}-${process.pid}`, logger });
    this.topics = topicNames(config.topicPrefix);
  }

  /**
   * The instance's transactional id: stable for one state directory on one host (the state lock makes it
   * exclusive), so a restarted instance fences its crashed predecessor's open transaction at once.
   */
  private transactionalId(): string {
    const dir = createHash('sha256').update(resolve(this.config.stateDir)).digest('hex').slice(0, 10);
    return `${this.config.applicationId}-${this.config.instanceId ?? `${hostname()}-${dir}`}`;
  }

  /** Locks the state directory, checks topics and schemas, serves health, joins the group. */
  async start(): Promise<void> {
    const { config } = this;
    this.lock = await InstanceLock.acquire(config.stateDir);
    this.health = await startHealthServer(config.httpHost, config.metricsPort, this.metrics.registry, () =>
      this.healthReport(),
    );
    // Independent start-up steps at once: a restart is back sooner (the topic check alone spawns a helper).
    const [serdes, writer, offsets] = await Promise.all([
      connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, this.topics),
      TransactionalWriter.create(this.kafka, {
        transactionalId: this.transactionalId(),
        transactionTimeoutMs: config.transactionTimeoutMs,
      }),
      OffsetReader.connect(this.kafka),
      ensureTopicsOrThrow(
        this.kafka,
        topicSpecs(config.topicPrefix, config.partitions, config.replicationFactor),
        config.replicationFactor,
      ),
    ]);
    this.writer = writer;
    this.offsets = offsets;
    this.member = await GroupMember.join(this.kafka, {
      groupId: config.applicationId,
      clientId: this.transactionalId(),
      topic: this.topics.commands,
      sessionTimeoutMs: config.sessionTimeoutMs,
      instanceId: config.instanceId,
      maxPollIntervalMs: Math.max(config.transactionTimeoutMs * 3, 30_000),
    });
    const deps: TaskDeps = {
      kafka: this.kafka,
      offsets,
      member: this.member,
      serdes,
      topics: this.topics,
      applicationId: config.applicationId,
      stateDir: config.stateDir,
      logger: this.log,
      metrics: this.metrics,
      partitionOfPool: (poolId) => partitionForKey(poolId, config.partitions),
      writerId: `${hostname()}/${process.pid}`,
      lifecycle: config.lifecycle,
    };
    const standbys = new StandbyReplicas(deps);
    const tasks = (this.tasks = new TaskSet(deps, standbys));
    this.metrics.countStoredEntries(() => tasks.storedEntries());
    this.watch = new GroupWatch({
      kafka: this.kafka,
      groupId: config.applicationId,
      topic: this.topics.commands,
      self: this.transactionalId(),
      partitionCount: config.partitions,
      standbyReplicas: config.standbyReplicas,
      transactionTimeoutMs: config.transactionTimeoutMs,
      refreshMs: 2000,
      standbys,
      owned: () => tasks.owned,
      logger: this.log,
      metrics: this.metrics,
    });
    this.watch.start();
    this.loop = this.run(this.member, tasks);
    this.log.info(
      { group: config.applicationId, instanceId: config.instanceId, metricsPort: this.health.port },
      'processor started',
    );
  }

  private async run(member: GroupMember, tasks: TaskSet): Promise<void> {
    let failures = 0;
    let work = new Map<PartitionTask, RawCommand[]>();
    let punctuatedAt = Date.now();
    while (!this.stopping) {
      work = new Map();
      try {
        const handover = await tasks.applyRebalances(member);
        if (handover.assigned.length > 0) void this.watch?.onAssigned(handover.assigned);
        else if (handover.revoked.length > 0) void this.watch?.refresh();
        // Wall-clock punctuation: expiry happens whether or not commands arrive.
        if (this.writer && Date.now() - punctuatedAt >= this.config.lifecycle.punctuateIntervalMs) {
          punctuatedAt = Date.now();
          await runPunctuation(tasks.byPartition.values(), this.cycleDeps(member, this.writer));
        }
        const messages = await member.consumer.consume(this.config.maxCommandsPerCycle, 50);
        work = tasks.readyWork(messages);
        const writer = this.writer;
        if (work.size > 0 && !writer) {
          // A replacement producer is being created (tasks are held paused): nothing may be decided yet.
          for (const task of work.keys()) await tasks.reposition(task);
        } else if (work.size > 0 && writer) {
          const report = await runCycle(work, this.cycleDeps(member, writer));
          // Deferred tasks keep their commands for the next cycle: fetch them again.
          for (const task of report.deferred) await tasks.reposition(task);
        }
        failures = 0;
        this.failingSince = null;
        this.updateLag(member, tasks);
      } catch (error) {
        failures++;
        this.failingSince ??= Date.now();
        this.lastFailure = describeError(error);
        if (!(error instanceof TransactionError) && isFatalClientError(error)) {
          // The consumer is dead (librdkafka raises no more events on it): it cannot rejoin the group.
          this.log.error(
            { err: describeError(error) },
            'group membership lost for good; this processor must restart',
          );
          this.options.onFatal?.(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        await this.recover(error, work, tasks);
        // The first retry is at once: an abort because a rebalance bumped the generation is expected
        // (the next loop applies the new assignment), and must not stall every other partition. Later
        // waits stay short: while this loop sleeps, no rebalance is served, for the whole group.
        if (!this.stopping && failures > 1) await sleep(Math.min(1000, 25 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  private cycleDeps(member: GroupMember, writer: TransactionalWriter): CycleDeps {
    return {
      writer,
      member,
      now: this.options.clock ?? Date.now,
      commandTopic: this.topics.commands,
      metrics: this.metrics,
      maxCycleMs: this.config.maxCycleMs,
    };
  }

  /**
   * After a failed cycle: an aborted transaction changed nothing, so the cycle's tasks fetch their commands
   * again. An unknown outcome (fatal producer error, commit lost) is learnt from Kafka: a new producer
   * (which waits for the old one's transaction to finish) and every task restored again.
   */
  private async recover(
    error: unknown,
    work: ReadonlyMap<PartitionTask, readonly RawCommand[]>,
    tasks: TaskSet,
  ): Promise<void> {
    const unknown = error instanceof TransactionError && error.outcome === 'unknown';
    this.log.warn(
      { err: describeError(error), outcome: error instanceof TransactionError ? error.outcome : 'not sent' },
      unknown
        ? 'transaction outcome unknown; restoring every task from Kafka'
        : 'cycle failed; retrying its commands',
    );
    if (!unknown) {
      for (const task of work.keys()) await tasks.reposition(task);
      return;
    }
    // Every partition is paused and restored again, and stays paused until the new producer exists, while
    // the loop goes on serving rebalances (a loop stuck here would hold up the whole group's rebalance).
    tasks.rebuildAll();
    tasks.holdUntil(this.replaceWriter());
  }

  /** Closes the broken producer and creates its successor (which fences it), retrying until it exists. */
  private async replaceWriter(): Promise<void> {
    const broken = this.writer;
    this.writer = null;
    await broken?.close();
    while (!this.stopping) {
      try {
        this.writer = await TransactionalWriter.create(this.kafka, {
          transactionalId: this.transactionalId(),
          transactionTimeoutMs: this.config.transactionTimeoutMs,
        });
        return;
      } catch (createError) {
        this.log.warn({ err: describeError(createError) }, 'transactional producer not ready; retrying');
        await sleep(1000);
      }
    }
  }

  private updateLag(member: GroupMember, tasks: TaskSet): void {
    const now = Date.now();
    if (now - this.lagUpdatedAt < 1000) return;
    this.lagUpdatedAt = now;
    updateLag(tasks.byPartition, member, this.topics.commands, this.metrics);
  }

  healthReport(): HealthReport {
    return healthReport([...(this.tasks?.byPartition.values() ?? [])], {
      stuckAfterMs: this.options.stuckAfterMs ?? 120_000,
      failingSince: this.failingSince,
      lastFailure: this.lastFailure,
      running: !this.stopping && this.member !== null,
    });
  }

  /** Finishes the cycle in progress (its transaction commits or aborts), leaves the group, releases all. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('stopping');
    await this.loop;
    // Everything processed is committed: leave at once, so the other instances take over now.
    await this.member?.leave();
    // A task that cannot initialise (registry down, disk full) must not hold the shutdown for long.
    await this.tasks?.closeAll(5000);
    await this.watch?.stop();
    await this.writer?.close();
    await this.offsets?.close();
    await this.health?.close();
    await this.lock?.release();
    this.log.info('stopped');
  }
}
