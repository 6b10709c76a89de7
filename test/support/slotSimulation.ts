// Weeks of delivery slots on a simulated clock (ADR 12): every simulated day, a new day of slots is defined
// at the end of the booking horizon, tomorrow's slots are booked (some bookings released), and the clock
// moves on a day; the processor's punctuation (wall-clock, a few ms apart) expires what has ended. Measures
// what each store holds per day: the processor's RocksDB, a gateway's read model, and what compaction keeps
// of the changelogs (each key's last record, tombstones removed). Used by the bounded-state test and bench.
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CapacityClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { connectSerdes, topicNames, topicSpecs } from '../../src/contracts';
import { createKafka, ensureTopicsOrThrow, OffsetReader, readToEnd, type Kafka } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { Processor } from '../../src/processor';
import { AvailabilityReadModel } from '../../src/readmodel';
import { uniqueName } from './names';
import { scratchDir } from './serviceProcess';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Simulated time starts here (a Monday), whatever the real date. */
const EPOCH = Date.UTC(2027, 0, 4);

export interface SimulationOptions {
  readonly zones: number;
  readonly slotsPerDay: number;
  /** Days ahead that are defined (bookable) at any time. */
  readonly horizonDays: number;
  readonly reservationsPerPool: number;
  /** Every n-th reservation is released again (0: none). */
  readonly releaseEvery: number;
  readonly days: number;
  /** null: expiry off (the reference: state that only grows). */
  readonly expireAfterMs: number | null;
  readonly markerRetentionMs: number;
  readonly partitions: number;
}

export interface DayCounts {
  readonly day: number;
  readonly simulatedDate: string;
  /** Pools defined so far (history) and pools whose slot has not expired (live horizon). */
  readonly definedPools: number;
  readonly livePools: number;
  readonly journalEvents: number;
  readonly rocksdb: { readonly pools: number; readonly reservations: number; readonly markers: number };
  readonly rocksdbBytes: number;
  readonly readModelPools: number;
  /** Keys compaction keeps (last record not a tombstone), and all records written so far. */
  readonly changelog: {
    readonly pools: number;
    readonly reservations: number;
    readonly markers: number;
    readonly records: number;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

function gauge(text: string, kind: string): number {
  const match = new RegExp(`^capacity_processor_stored_entries\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** Each key's last value over a topic, read incrementally (what compaction would keep). */
class CompactedView {
  readonly last = new Map<string, boolean>();
  records = 0;
  private readonly from = new Map<number, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly offsets: OffsetReader,
  ) {}

  async refresh(): Promise<number> {
    const ranges = Array.from({ length: this.partitions }, (_, partition) => ({
      topic: this.topic,
      partition,
      fromOffset: this.from.get(partition) ?? null,
    }));
    await readToEnd(
      this.kafka,
      'simulation-reader',
      ranges,
      async (records) => {
        for (const r of records) {
          this.last.set(r.key?.toString() ?? '', r.value !== null);
          this.from.set(r.partition, r.offset + 1);
          this.records++;
        }
      },
      this.offsets,
    );
    return [...this.last.values()].filter(Boolean).length;
  }
}

export async function simulateSlots(
  options: SimulationOptions,
  onDay: (counts: DayCounts) => void = () => undefined,
): Promise<DayCounts[]> {
  const prefix = uniqueName('sim');
  const stateDir = scratchDir('simulation-state');
  const expireAfterMs = options.expireAfterMs ?? 365 * DAY;
  const metricsPort = await freePort();
  const config: Config = loadConfig({
    ...process.env,
    CAPACITY_TOPIC_PREFIX: prefix,
    CAPACITY_APPLICATION_ID: uniqueName('sim-app'),
    CAPACITY_PARTITIONS: String(options.partitions),
    CAPACITY_STATE_DIR: stateDir,
    CAPACITY_METRICS_PORT: String(metricsPort),
    CAPACITY_STANDBY_REPLICAS: '0',
    CAPACITY_SESSION_TIMEOUT_MS: '6000',
    CAPACITY_REQUEST_TIMEOUT_MS: '60000',
    CAPACITY_EXPIRE_AFTER_MS: String(expireAfterMs),
    CAPACITY_EXPIRED_POOL_RETENTION_MS: String(options.markerRetentionMs),
    CAPACITY_PUNCTUATE_INTERVAL_MS: '20',
    CAPACITY_LOG_LEVEL: 'warn',
  });
  const logger = createLogger('warn');
  const kafka = createKafka(config, { clientId: 'simulation', logger });
  await ensureTopicsOrThrow(kafka, topicSpecs(prefix, options.partitions), 1);
  const topics = topicNames(prefix);

  let now = EPOCH;
  const processor = new Processor(config, logger, { clock: () => now });
  const offsets = await OffsetReader.connect(kafka);
  const readModel = new AvailabilityReadModel(
    kafka,
    topics.poolState,
    await connectSerdes({ url: config.registryUrl }, topics),
    logger,
    uniqueName('sim-gateway'),
  );
  const views = {
    pools: new CompactedView(kafka, topics.poolState, options.partitions, offsets),
    reservations: new CompactedView(kafka, topics.reservations, options.partitions, offsets),
    markers: new CompactedView(kafka, topics.expiredPools, options.partitions, offsets),
    events: new CompactedView(kafka, topics.events, options.partitions, offsets),
  };
  let client: CapacityClient | null = null;
  const slots: Array<{ poolId: string; slotStart: number; slotEnd: number }> = [];
  const days: DayCounts[] = [];
  try {
    await processor.start();
    await readModel.start();
    client = await CapacityClient.connect(config, logger, uniqueName('sim-client'));
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

    const defineDay = async (day: number) => {
      const dayStart = EPOCH + day * DAY;
      const definitions = [];
      for (let zone = 0; zone < options.zones; zone++) {
        for (let s = 0; s < options.slotsPerDay; s++) {
          const slotStart = dayStart + 8 * HOUR + s * 2 * HOUR;
          const poolId = `z${zone}-d${day}-s${s}`;
          slots.push({ poolId, slotStart, slotEnd: slotStart + 2 * HOUR });
          definitions.push(
            client?.submit({
              type: 'DefinePool',
              poolId,
              zone: `zone-${zone}`,
              slotStart,
              slotEnd: slotStart + 2 * HOUR,
              capacity: options.reservationsPerPool * 2,
            }),
          );
        }
      }
      for (const result of await Promise.all(definitions))
        if (result?.status !== 'accepted') throw new Error(`definition refused: ${JSON.stringify(result)}`);
    };
    const bookDay = async (day: number) => {
      const pools = slots.filter(
        (s) => s.slotStart >= EPOCH + day * DAY && s.slotStart < EPOCH + (day + 1) * DAY,
      );
      const reserves = pools.flatMap((pool) =>
        Array.from({ length: options.reservationsPerPool }, () => client?.reserve(pool.poolId, 1)),
      );
      const results = await Promise.all(reserves);
      const releases = results
        .filter(
          (r, i) => options.releaseEvery > 0 && (i + 1) % options.releaseEvery === 0 && r?.reservationId,
        )
        .map((r) => client?.release(r?.reservationId as string));
      for (const result of [...results, ...(await Promise.all(releases))])
        if (result?.status !== 'accepted') throw new Error(`booking refused: ${JSON.stringify(result)}`);
    };

    for (let day = 0; day <= options.horizonDays; day++) await defineDay(day);
    for (let day = 0; day < options.days; day++) {
      // Today's orders are for tomorrow's slots; then the horizon grows by a day, and the day passes.
      await bookDay(day + 1);
      await defineDay(day + options.horizonDays + 1);
      now += DAY;
      const live = slots.filter((s) => s.slotEnd + expireAfterMs > now).length;
      // The punctuation runs every 20 ms of real time: wait until local state is down to the live pools.
      let metrics = '';
      for (let i = 0; i < 500; i++) {
        metrics = await (await fetch(metricsUrl)).text();
        if (gauge(metrics, 'pool') === live) break;
        await sleep(20);
      }
      const changelog = {
        pools: await views.pools.refresh(),
        reservations: await views.reservations.refresh(),
        markers: await views.markers.refresh(),
        records: 0,
      };
      changelog.records = views.pools.records + views.reservations.records + views.markers.records;
      for (let i = 0; i < 500 && readModel.status().pools !== changelog.pools; i++) await sleep(20);
      await views.events.refresh();
      const counts: DayCounts = {
        day: day + 1,
        simulatedDate: new Date(now).toISOString().slice(0, 10),
        definedPools: slots.length,
        livePools: live,
        journalEvents: views.events.records,
        rocksdb: {
          pools: gauge(metrics, 'pool'),
          reservations: gauge(metrics, 'reservation'),
          markers: gauge(metrics, 'marker'),
        },
        rocksdbBytes: directoryBytes(stateDir),
        readModelPools: readModel.status().pools,
        changelog,
      };
      days.push(counts);
      onDay(counts);
    }
    return days;
  } finally {
    await client?.close();
    await readModel.stop();
    await processor.stop();
    await offsets.close();
  }
}
