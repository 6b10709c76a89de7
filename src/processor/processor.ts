// The processor process: one consumer-group member on the command topic, one PartitionTask per owned
// partition. kafkajs has no revoke callback, so each new assignment is diffed against the tasks held.
import { hostname } from 'node:os';
import type { Config } from '../config';
import { connectSerdes, topicNames, topicSpecs, type Serdes } from '../contracts';
import { describeError } from '../errors';
import {
  createKafka,
  ensureTopicsOrThrow,
  partitionForKey,
  PartitionedConsumer,
  type BatchControl,
  type InputBatch,
  type Kafka,
} from '../kafka';
import { startHealthServer, type HealthReport, type HealthServer, type Logger } from '../observability';
import { InstanceLock } from '../state';
import { PartitionTask, type TaskDeps } from './partitionTask';
import { ProcessorMetrics } from './processorMetrics';

export interface ProcessorOptions {
  /** A batch or restore running longer than this makes /healthz report the task as stuck. */
  readonly stuckAfterMs?: number;
  readonly maxCommandsPerTransaction?: number;
  readonly partitionsConsumedConcurrently?: number;
}

export class Processor {
  private readonly tasks = new Map<number, PartitionTask>();
  /** GROUP_JOIN count, and the partitions the latest one assigned to this instance. */
  private generation = 0;
  private assigned = new Set<number>();
  private deps: TaskDeps | null = null;
  private readonly metrics = new ProcessorMetrics();
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private consumer: PartitionedConsumer | null = null;
  private lock: InstanceLock | null = null;
  private health: HealthServer | null = null;
  private serdes: Serdes | null = null;
  private crashed: string | null = null;
  private stopping = false;

  constructor(
    private readonly config: Config,
    logger: Logger,
    private readonly options: ProcessorOptions = {},
  ) {
    this.log = logger.child({ component: 'processor' });
    this.kafka = createKafka(config, { clientId: `${config.applicationId}-${process.pid}`, logger });
  }

  /** Locks the state directory, checks topics and schemas, serves health, joins the group. */
  async start(): Promise<void> {
    const { config } = this;
    this.lock = await InstanceLock.acquire(config.stateDir);
    const topics = topicNames(config.topicPrefix);
    await ensureTopicsOrThrow(
      this.kafka,
      topicSpecs(config.topicPrefix, config.partitions),
      config.replicationFactor,
    );
    this.serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
    this.health = await startHealthServer(config.httpHost, config.metricsPort, this.metrics.registry, () =>
      this.healthReport(),
    );

    const deps: TaskDeps = {
      kafka: this.kafka,
      serdes: this.serdes,
      topics,
      applicationId: config.applicationId,
      stateDir: config.stateDir,
      logger: this.log,
      metrics: this.metrics,
      partitionOfPool: (poolId) => partitionForKey(poolId, config.partitions),
      maxCommandsPerTransaction: this.options.maxCommandsPerTransaction ?? 500,
      transactionTimeoutMs: 60_000,
      writerId: `${hostname()}/${process.pid}`,
    };
    this.deps = deps;
    this.consumer = new PartitionedConsumer(this.kafka, {
      groupId: config.applicationId,
      topic: topics.commands,
      sessionTimeoutMs: config.sessionTimeoutMs,
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? Math.min(config.partitions, 12),
      onAssignment: (partitions) => this.reassign(partitions, deps),
      onBatch: (batch, control) => this.onBatch(batch, control),
      onCrash: (error, willRestart) => {
        this.log.error({ err: describeError(error), willRestart }, 'consumer crashed');
        if (!willRestart) this.crashed = describeError(error);
      },
    });
    await this.consumer.start();
    this.log.info({ group: config.applicationId, metricsPort: this.health.port }, 'processor started');
  }

  private reassign(partitions: readonly number[], deps: TaskDeps): void {
    const owned = new Set(partitions);
    this.generation++;
    this.assigned = owned;
    for (const [partition, task] of this.tasks) {
      if (!owned.has(partition) || task.state === 'closed') {
        this.tasks.delete(partition);
        void task.close('revoked');
      }
    }
    for (const partition of owned) {
      if (!this.tasks.has(partition))
        this.tasks.set(partition, new PartitionTask(partition, deps, this.generation));
    }
    this.metrics.tasksOwned.set(this.tasks.size);
    this.log.info({ partitions: [...owned].sort((a, b) => a - b) }, 'assignment');
  }

  private async onBatch(batch: InputBatch, control: BatchControl): Promise<void> {
    const task = this.tasks.get(batch.partition);
    if (!task || task.state === 'closed') {
      // Not ours (any more): a zombie's leftover fetch, or a task fenced by a newer owner. Never create a
      // task from a fetch, only from an assignment; wait for the group to tell us what we own.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return;
    }
    if (!(await task.whenReady(control.heartbeat))) return;
    await task.processBatch(batch, control);
    if (task.isClosed && this.tasks.get(batch.partition) === task) {
      this.tasks.delete(batch.partition);
      // Fenced, but the group assigned this partition to us again after the task was created (e.g. we
      // were paused, rejoined, and kept the partition while another instance had fenced us meanwhile):
      // start over. In the task's own generation, a fence means someone else owns it now: wait for the
      // group instead of fencing them back.
      if (
        !this.stopping &&
        this.deps &&
        task.generation < this.generation &&
        this.assigned.has(batch.partition)
      ) {
        this.log.warn(
          { partition: batch.partition },
          'task was fenced before the latest assignment; starting it again',
        );
        this.tasks.set(batch.partition, new PartitionTask(batch.partition, this.deps, this.generation));
      }
      this.metrics.tasksOwned.set(this.tasks.size);
    }
  }

  healthReport(): HealthReport {
    const stuckAfterMs = this.options.stuckAfterMs ?? 120_000;
    const now = Date.now();
    const tasks = [...this.tasks.values()].map((t) => ({
      partition: t.partition,
      state: t.state,
      nextOffset: t.nextOffset,
      busyMs: t.busySince === null ? 0 : now - t.busySince,
    }));
    const stuck = tasks.filter((t) => t.busyMs > stuckAfterMs).map((t) => t.partition);
    const assignedWithoutTask = [...this.assigned].filter((p) => !this.tasks.has(p));
    return {
      healthy: this.crashed === null && stuck.length === 0 && !this.stopping,
      crashed: this.crashed,
      stuck,
      assignedWithoutTask,
      tasks,
    };
  }

  /** Stops fetching, lets open transactions finish, releases every task and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('stopping');
    // A task that cannot fence or restore (registry down, disk full) would otherwise hold the batch in
    // progress, and with it consumer.stop(), forever.
    for (const task of this.tasks.values()) task.stopInitialising();
    await this.consumer?.stop();
    await Promise.all([...this.tasks.values()].map((t) => t.close('shutdown')));
    this.tasks.clear();
    await this.health?.close();
    await this.lock?.release();
    this.log.info('stopped');
  }
}
