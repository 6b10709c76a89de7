// The warehouse connector: one consumer-group member on the event journal and the pool-state changelog
// that writes every record as a row, in batches, each batch in ONE warehouse transaction together with the
// positions it reaches. On every assignment it seeks to the positions stored in the warehouse (Kafka's
// committed offsets are never used), and it skips what the warehouse already has, so a crash at any point
// loses nothing and duplicates nothing.
import type { Config } from '../config';
import { createRegistry, topicNames, topicSpecs } from '../contracts';
import { CapacityError, describeError, UnavailableError } from '../errors';
import {
  createKafka,
  ensureTopicsOrThrow,
  SinkConsumer,
  type Kafka,
  type SinkAssignment,
  type SinkBatch,
} from '../kafka';
import { startHealthServer, type HealthReport, type HealthServer, type Logger } from '../observability';
import { describeTarget, type ConnectorConfig } from './connectorConfig';
import { ConnectorMetrics } from './connectorMetrics';
import { poolHistoryRoute } from './historyEndpoint';
import {
  eventRow,
  poolStateRow,
  RecordDecoder,
  tombstoneRow,
  undecodableRow,
  type WarehouseRow,
} from './recordDecoder';
import type { TableName } from './tables';
import { OffsetConflictError, positionKey, Warehouse, type PositionUpdate } from './warehouse';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ConnectorOptions {
  /** Called once when the connector gives up (warehouse unreachable past the retry time, ...). */
  readonly onFatal?: (error: Error) => void;
}

interface Pending {
  readonly topic: string;
  readonly partition: number;
  to: number;
}

export class Connector {
  readonly metrics = new ConnectorMetrics();
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly topics: { events: string; poolState: string };
  private warehouse: Warehouse | null = null;
  private consumer: SinkConsumer | null = null;
  private health: HealthServer | null = null;
  private decoder: RecordDecoder | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** Positions stored in the warehouse (next offset per "topic:partition"), as of the last commit. */
  private stored = new Map<string, number>();
  private readonly highWatermarks = new Map<string, number>();
  private buffer: WarehouseRow[] = [];
  private pending = new Map<string, Pending>();
  /**
   * Next offset to take per "topic:partition" since the last realign: past what is buffered, being written
   * or stored. Records below it are skipped when Kafka delivers them again (see `reposition`).
   */
  private taken = new Map<string, number>();
  /** Bumped whenever the consumer is seeked: a batch delivered before that is not taken from any further. */
  private seeks = 0;
  private oldestBufferedAt: number | null = null;
  private assignment: readonly SinkAssignment[] = [];
  private ready: Promise<void> = Promise.resolve();
  private flushing: Promise<void> = Promise.resolve();
  private heartbeat: () => Promise<void> = async () => undefined;
  private readonly written: Record<TableName, number> = { capacity_events: 0, pool_state_history: 0 };
  private readonly unknownTypesLogged = new Set<string>();
  private fatal: Error | null = null;
  private writes = 0;
  /** Bumped whenever buffered work is dropped (realign): queued writes of an older generation are skipped. */
  private generation = 0;
  private stopping = false;

  constructor(
    private readonly config: Config,
    private readonly connector: ConnectorConfig,
    logger: Logger,
    private readonly options: ConnectorOptions = {},
  ) {
    this.log = logger.child({ component: 'connector' });
    this.kafka = createKafka(config, { clientId: `${connector.groupId}-${process.pid}`, logger });
    const names = topicNames(config.topicPrefix);
    this.topics = { events: names.events, poolState: names.poolState };
  }

  async start(): Promise<void> {
    const { config, connector } = this;
    this.log.info({ warehouse: describeTarget(connector.warehouse) }, 'opening warehouse');
    this.warehouse = await this.withRetry('open the warehouse', () => this.openWarehouse());
    await ensureTopicsOrThrow(
      this.kafka,
      topicSpecs(config.topicPrefix, config.partitions, config.replicationFactor),
      config.replicationFactor,
    );
    this.decoder = new RecordDecoder(createRegistry({ url: config.registryUrl, auth: config.registryAuth }));
    this.health = await startHealthServer(
      config.httpHost,
      config.metricsPort,
      this.metrics.registry,
      () => this.healthReport(),
      poolHistoryRoute({
        warehouse: () => this.warehouse,
        report: () => this.healthReport(),
        eventsTopic: this.topics.events,
        partitions: config.partitions,
        groupId: connector.groupId,
        logger: this.log,
      }),
    );
    this.consumer = new SinkConsumer(this.kafka, {
      groupId: connector.groupId,
      topics: [this.topics.events, this.topics.poolState],
      sessionTimeoutMs: config.sessionTimeoutMs,
      onAssignment: (assignment) => {
        this.assignment = assignment;
        this.scheduleRealign();
      },
      onBatch: (batch, heartbeat) => this.onBatch(batch, heartbeat),
      onCrash: (error, willRestart) => {
        this.log.error({ err: describeError(error), willRestart }, 'consumer crashed');
        if (!willRestart) this.die(error);
      },
    });
    this.timer = setInterval(() => this.flushIfDue(), Math.max(10, Math.min(100, connector.batchMs / 2)));
    await this.consumer.start();
    this.log.info(
      { group: connector.groupId, metricsPort: this.health.port, warehouse: this.warehouse.kind },
      'connector started',
    );
  }

  private openWarehouse(): Promise<Warehouse> {
    return Warehouse.open(this.connector.warehouse, this.connector.groupId, (table, column, type) =>
      this.log.info({ table, column, type }, 'schema evolution: added a nullable column'),
    );
  }

  /**
   * After an assignment or a position conflict: drops what is buffered at once (a later flush would write
   * it under the new generation, next to the realign's read), then realigns once what runs before it ended.
   */
  private scheduleRealign(): void {
    this.generation += 1; // batches being buffered and writes queued until now are stale
    this.buffer = [];
    this.pending.clear();
    this.taken.clear();
    this.oldestBufferedAt = null;
    this.ready = this.ready.then(() => this.realign()).catch((error: Error) => this.die(error));
  }

  /** Seeks to the stored positions, once the write that may be running has ended. */
  private async realign(): Promise<void> {
    await this.flushing.catch(() => undefined);
    this.stored = await this.withRetry('read the stored positions', async () => {
      this.warehouse ??= await this.openWarehouse();
      return this.warehouse.positions();
    });
    // Seek EVERY assigned partition, also those with no stored position (to 0: the client falls back to the
    // earliest offset if 0 is gone). The dropped buffer may have held the first rows of such a partition, and
    // the client's own position is already past them: without a seek they would be skipped while the next
    // write's stored position claimed them.
    this.reposition();
    this.log.info(
      { assignment: this.assignment, positions: Object.fromEntries(this.stored) },
      'seeked to the positions stored in the warehouse',
    );
  }

  /**
   * Seeks every assigned partition to the next offset to take (taken, else stored, else 0). The client's own
   * position cannot be trusted after a realign or a pause: pausing drops the records it had fetched and not
   * yet handed over, also of partitions it does not seek back, so without this seek those records would be
   * skipped (lost, or never delivered at all when nothing newer arrives).
   */
  private reposition(): void {
    this.seeks += 1;
    for (const { topic, partitions } of this.assignment) {
      for (const partition of partitions) {
        const key = positionKey(topic, partition);
        this.consumer?.seek(topic, partition, this.taken.get(key) ?? this.stored.get(key) ?? 0);
      }
    }
  }

  private async onBatch(batch: SinkBatch, heartbeat: () => Promise<void>): Promise<void> {
    this.heartbeat = heartbeat;
    const seeks = this.seeks; // before waiting: the realign waited for below seeks
    // Wait for every realign scheduled so far, also one scheduled while waiting: buffering from a
    // generation read before that realign ran would go on next to it with positions it is replacing.
    for (let ready = this.ready; ; ready = this.ready) {
      await ready;
      if (ready === this.ready) break;
    }
    if (this.fatal || this.stopping) return;
    // Stop taking from this batch, here and after every await below (rowOf, a flush), once
    // - a realign (position conflict, new assignment) was scheduled: it drops the buffer and seeks back, so
    //   this batch is delivered again. Buffering on with the stale local `next` would re-create pending
    //   positions past rows that were dropped, and the redelivered rows would be skipped as "already
    //   buffered";
    // - the consumer was seeked after it delivered this batch (a realign, a resume): the batch was fetched
    //   from where the client was before and need not go on from the next offset to take, so taking it could
    //   skip records. The seek delivers the partition again from that offset.
    const generation = this.generation;
    const stale = () => this.generation !== generation || this.seeks !== seeks;
    if (stale()) return;
    const key = positionKey(batch.topic, batch.partition);
    this.highWatermarks.set(key, batch.highWatermark);
    let next = this.taken.get(key) ?? this.stored.get(key) ?? 0;
    for (const message of batch.messages) {
      // Already stored, being written or buffered: Kafka delivers records again after a pause or a seek.
      if (message.offset < next) continue;
      if (this.buffer.length >= this.connector.batchSize) {
        // Bounded, double-buffered: a full batch starts its write and consuming goes on into the next one;
        // the next full batch waits for that write (fetching is paused if it is slow, see write), so at
        // most two batches are in memory and no transaction holds more than the batch size.
        if (this.writing) await this.flushing.catch(() => undefined);
        if (this.fatal || this.stopping || stale()) return;
        void this.flush().catch(() => undefined);
      }
      let row: WarehouseRow | null;
      try {
        row = await this.rowOf(batch.topic, batch.partition, message);
      } catch (error) {
        this.die(error as Error); // the registry stayed unreachable past the retry time
        return;
      }
      if (stale()) return; // see above: the buffer was dropped meanwhile
      if (row) this.buffer.push(row);
      next = message.offset + 1;
      this.taken.set(key, next);
      const pending = this.pending.get(key);
      if (pending) pending.to = next;
      else this.pending.set(key, { topic: batch.topic, partition: batch.partition, to: next });
      this.oldestBufferedAt ??= Date.now();
    }
    this.metrics.lag.set({ topic: batch.topic, partition: batch.partition }, batch.highWatermark - next);
  }

  private async rowOf(
    topic: string,
    partition: number,
    message: SinkBatch['messages'][number],
  ): Promise<WarehouseRow | null> {
    const at = { topic, partition, offset: message.offset };
    const table: TableName = topic === this.topics.events ? 'capacity_events' : 'pool_state_history';
    const key = message.key?.toString() ?? null;
    if (message.value === null) {
      if (table === 'capacity_events') return undecodableRow(table, at, Buffer.alloc(0), 'no value', key);
      this.metrics.tombstones.inc(); // the pool expired: recorded as a row, history is never deleted
      return tombstoneRow(at, key, message.timestamp);
    }
    const value = message.value;
    let row: WarehouseRow;
    try {
      const decoded = await this.withRetry('decode a record (schema registry)', () =>
        (this.decoder as RecordDecoder).decode(value),
      );
      row = table === 'capacity_events' ? eventRow(at, decoded) : poolStateRow(at, decoded);
    } catch (error) {
      if (error instanceof CapacityError && error.code === 'UNAVAILABLE') throw error;
      row = undecodableRow(table, at, value, describeError(error), key);
    }
    if (row.note) {
      const reason = row.note.startsWith('unknown') ? 'unknown_event_type' : 'undecodable';
      this.metrics.unusual.inc({ reason });
      if (!this.unknownTypesLogged.has(row.note)) {
        this.unknownTypesLogged.add(row.note);
        this.log.warn({ topic, partition, offset: message.offset, note: row.note }, 'stored as JSON');
      }
    }
    return row;
  }

  private flushIfDue(): void {
    if (this.oldestBufferedAt === null || this.fatal) return;
    if (Date.now() - this.oldestBufferedAt < this.connector.batchMs) return;
    void this.flush().catch(() => undefined);
  }

  /** Takes what is buffered now and queues its write; writes run one at a time, in order. */
  private flush(): Promise<void> {
    if (this.pending.size === 0 || this.fatal) return this.flushing.catch(() => undefined);
    const rows = this.buffer;
    const pending = [...this.pending.values()];
    this.buffer = [];
    this.pending = new Map();
    this.oldestBufferedAt = null;
    this.writes += 1;
    const generation = this.generation;
    const run = this.flushing
      .catch(() => undefined)
      .then(() => (generation === this.generation ? this.write(rows, pending) : undefined))
      .finally(() => {
        this.writes -= 1;
      });
    this.flushing = run;
    return run;
  }

  /** True while a batch write is queued or running. */
  private get writing(): boolean {
    return this.writes > 0;
  }

  private async write(rows: WarehouseRow[], pending: readonly Pending[]): Promise<void> {
    if (this.fatal) return;
    // Each write starts where the previous one (queued before it) left the stored positions.
    const positions: PositionUpdate[] = pending.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      from: this.stored.get(positionKey(p.topic, p.partition)) ?? null,
      to: p.to,
    }));
    // Back-pressure: a write slower than the batch time pauses fetching until it is done.
    const slow = setTimeout(() => this.pause(), this.connector.batchMs);
    const started = process.hrtime.bigint();
    try {
      await this.withRetry('write a batch to the warehouse', async () => {
        this.warehouse ??= await this.openWarehouse();
        await this.warehouse.write(rows, positions);
      });
    } catch (error) {
      if (error instanceof OffsetConflictError) {
        this.log.warn({ err: error.message }, 'position conflict: re-reading stored positions');
        this.scheduleRealign(); // batches queued after this one start from positions that were not stored
        return;
      }
      this.die(error as Error);
      throw error;
    } finally {
      clearTimeout(slow);
      this.resume();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.batchSeconds.observe(seconds);
    this.metrics.batchRows.observe(rows.length);
    for (const p of positions) {
      const key = positionKey(p.topic, p.partition);
      this.stored.set(key, p.to);
      const hw = this.highWatermarks.get(key);
      if (hw !== undefined)
        this.metrics.lag.set({ topic: p.topic, partition: p.partition }, Math.max(0, hw - p.to));
    }
    for (const row of rows) this.written[row.table] += 1;
    this.metrics.rows.inc(
      { table: 'capacity_events' },
      rows.filter((r) => r.table === 'capacity_events').length,
    );
    this.metrics.rows.inc(
      { table: 'pool_state_history' },
      rows.filter((r) => r.table === 'pool_state_history').length,
    );
    this.log.debug({ rows: rows.length, seconds }, 'batch written');
  }

  private pause(): void {
    if (!this.consumer || this.consumer.isPaused) return;
    this.consumer.pause();
    this.metrics.paused.set(1);
    this.metrics.pauses.inc();
    this.log.info('warehouse is slow: fetching paused');
  }

  private resume(): void {
    if (!this.consumer?.isPaused) return;
    this.reposition(); // the client dropped what it had fetched when it paused
    this.consumer.resume();
    this.metrics.paused.set(0);
    this.log.info('fetching resumed');
  }

  /**
   * Retries a retriable failure with exponential backoff (0.2 s .. 5 s) for up to CAPACITY_CONNECTOR_RETRY_MS,
   * keeping the group membership alive; then gives up with an UnavailableError that says why.
   */
  private async withRetry<T>(what: string, action: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.connector.retryMs;
    let delayMs = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        if (error instanceof OffsetConflictError) throw error;
        if (error instanceof CapacityError && !error.retriable) throw error;
        if (this.warehouse && !(error instanceof CapacityError)) {
          // The connection may be gone (server restarted, backend terminated): reopen on the next attempt.
          await this.warehouse.close().catch(() => undefined);
          this.warehouse = null;
        }
        if (Date.now() + delayMs > deadline || this.stopping) {
          throw new UnavailableError(
            `could not ${what} after ${attempt} attempts in ${Math.round(this.connector.retryMs / 1000)}s ` +
              `(${describeTarget(this.connector.warehouse)}): ${describeError(error)}`,
            { cause: error },
          );
        }
        this.metrics.retries.inc();
        this.log.warn(
          { err: describeError(error), attempt, retryInMs: delayMs },
          `could not ${what}; retrying`,
        );
        await sleep(delayMs);
        await this.heartbeat().catch(() => undefined);
        delayMs = Math.min(delayMs * 2, 5000);
      }
    }
  }

  private die(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    this.log.error({ err: describeError(error) }, 'connector stopped working');
    this.options.onFatal?.(error);
  }

  healthReport(): HealthReport {
    const positions = [...this.stored.entries()].map(([key, nextOffset]) => ({
      key,
      nextOffset,
      lag: Math.max(0, (this.highWatermarks.get(key) ?? nextOffset) - nextOffset),
    }));
    return {
      healthy: this.fatal === null && !this.stopping,
      crashed: this.fatal ? describeError(this.fatal) : null,
      warehouse: this.warehouse?.kind ?? this.connector.warehouse.kind,
      paused: this.consumer?.isPaused ?? false,
      buffered: this.buffer.length,
      rowsWritten: { ...this.written },
      positions,
    };
  }

  /** Stops fetching, writes what is buffered, closes the warehouse and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('stopping');
    if (this.timer) clearInterval(this.timer);
    await this.consumer?.stop();
    // Disconnected: the last write must not pause, resume or seek it (the client throws once disconnected).
    this.consumer = null;
    this.metrics.paused.set(0);
    if (!this.fatal) {
      this.stopping = false; // let the last flush use the normal path
      await this.flush().catch((error: unknown) =>
        this.log.error({ err: describeError(error) }, 'last batch not written'),
      );
      this.stopping = true;
    }
    await this.ready.catch(() => undefined); // a realign reading the positions
    await this.flushing.catch(() => undefined);
    await this.warehouse?.close().catch(() => undefined);
    this.warehouse = null;
    await this.health?.close();
    this.log.info('stopped');
  }
}
