// The connector's realign and its batch loop, without Kafka or a database: the consumer, the warehouse
// and the record decoding are stand-ins, so the interleavings that lost rows can be replayed exactly.
import { loadConfig } from '../../../src/config';
import { Connector, loadConnectorConfig, type WarehouseRow } from '../../../src/connector';
import type { SinkAssignment, SinkBatch } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';

/** The private parts of Connector these tests drive or look at. */
interface Internals {
  warehouse: { positions(): Promise<Map<string, number>>; close(): Promise<void> } | null;
  consumer: { seek: jest.Mock; isPaused: boolean; pause?: () => void; resume?: () => void } | null;
  assignment: readonly SinkAssignment[];
  buffer: WarehouseRow[];
  pending: Map<string, { to: number }>;
  rowOf(topic: string, partition: number, message: SinkBatch['messages'][number]): Promise<WarehouseRow>;
  ready: Promise<void>;
  realign(): Promise<void>;
  scheduleRealign(): void;
  onBatch(batch: SinkBatch, heartbeat: () => Promise<void>): Promise<void>;
  flush(): Promise<void>;
  pause(): void;
  resume(): void;
}

const TOPIC = 't.events';

function connectorWith(stored: Map<string, number>): { internals: Internals; seek: jest.Mock } {
  const env = { CAPACITY_CONNECTOR_BATCH_SIZE: '1000', CAPACITY_LOG_LEVEL: 'error' };
  const connector = new Connector(loadConfig(env), loadConnectorConfig(env), createLogger('error'));
  const internals = connector as unknown as Internals;
  const seek = jest.fn();
  internals.warehouse = { positions: async () => new Map(stored), close: async () => undefined };
  internals.consumer = { seek, isPaused: false };
  return { internals, seek };
}

const row = (offset: number): WarehouseRow => ({
  table: 'capacity_events',
  cells: new Map([['kafka_offset', { type: 'BIGINT', value: offset }]]),
  note: null,
});

const batchOf = (partition: number, offsets: number[]): SinkBatch => ({
  topic: TOPIC,
  partition,
  highWatermark: Math.max(...offsets) + 1,
  messages: offsets.map((offset) => ({ offset, key: null, value: Buffer.from('x'), timestamp: 0 })),
});

const bufferedOffsets = (internals: Internals) =>
  internals.buffer.map((r) => Number(r.cells.get('kafka_offset')?.value));

test('realign seeks every assigned partition, to 0 where no position is stored', async () => {
  const { internals, seek } = connectorWith(new Map([[`${TOPIC}:1`, 7]]));
  internals.assignment = [{ topic: TOPIC, partitions: [0, 1, 2] }];
  await internals.realign();
  expect(seek.mock.calls).toEqual([
    [TOPIC, 0, 0],
    [TOPIC, 1, 7],
    [TOPIC, 2, 0],
  ]);
});

test('a realign while a batch is being buffered stops that batch: its redelivery is buffered whole', async () => {
  const { internals } = connectorWith(new Map());
  internals.assignment = [{ topic: TOPIC, partitions: [0] }];
  let reached!: () => void;
  const atOffset2 = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  internals.rowOf = async (_topic, _partition, message) => {
    if (message.offset === 2) {
      reached();
      await released; // decoding offset 2 is slow (registry), and a realign comes in meanwhile
    }
    return row(message.offset);
  };
  const heartbeat = async () => undefined;

  const first = internals.onBatch(batchOf(0, [0, 1, 2, 3, 4]), heartbeat);
  await atOffset2;
  internals.scheduleRealign(); // drops offsets 0 and 1 at once, then seeks back to 0
  await internals.ready;
  release();
  await first;
  expect(bufferedOffsets(internals)).toEqual([]);
  expect(internals.pending.size).toBe(0);

  // Kafka delivers the partition again from the seeked offset: every row is buffered, none skipped.
  await internals.onBatch(batchOf(0, [0, 1, 2, 3, 4]), heartbeat);
  expect(bufferedOffsets(internals)).toEqual([0, 1, 2, 3, 4]);
  expect(internals.pending.get(`${TOPIC}:0`)?.to).toBe(5);
});

test('a resume seeks every partition to the next offset to take; records delivered again are skipped', async () => {
  // Pausing makes the client drop what it had fetched, also of partitions it does not seek back, and deliver
  // a batch again from its start: the connector repositions itself and skips what it has taken.
  const { internals, seek } = connectorWith(new Map([[`${TOPIC}:1`, 7]]));
  internals.assignment = [{ topic: TOPIC, partitions: [0, 1, 2] }];
  const consumer = internals.consumer as NonNullable<Internals['consumer']>;
  consumer.pause = () => (consumer.isPaused = true);
  consumer.resume = () => (consumer.isPaused = false);
  internals.rowOf = async (_topic, _partition, message) => row(message.offset);
  let finish!: () => void;
  const writing = new Promise<void>((resolve) => (finish = resolve));
  const written: number[][] = [];
  (internals as unknown as { write(rows: WarehouseRow[]): Promise<void> }).write = async (rows) => {
    written.push(rows.map((r) => Number(r.cells.get('kafka_offset')?.value)));
    await writing;
  };
  const heartbeat = async () => undefined;
  await internals.realign();
  seek.mockClear();

  await internals.onBatch(batchOf(0, [0, 1, 2]), heartbeat);
  const flushed = internals.flush(); // offsets 0..2 are being written (slow: fetching paused)
  internals.pause();
  await internals.onBatch(batchOf(0, [0, 1, 2, 3]), heartbeat); // delivered again from the batch start
  expect(bufferedOffsets(internals)).toEqual([3]);

  internals.resume();
  expect(seek.mock.calls).toEqual([
    [TOPIC, 0, 4],
    [TOPIC, 1, 7],
    [TOPIC, 2, 0],
  ]);
  finish();
  await flushed;
  expect(written).toEqual([[0, 1, 2]]);
});

test('a batch delivered before a seek is not taken: the seek delivers it again from the next offset', async () => {
  const { internals } = connectorWith(new Map([[`${TOPIC}:0`, 5]]));
  internals.assignment = [{ topic: TOPIC, partitions: [0] }];
  let reached!: () => void;
  const atOffset6 = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  internals.rowOf = async (_topic, _partition, message) => {
    if (message.offset === 6) {
      reached();
      await released;
    }
    return row(message.offset);
  };
  const heartbeat = async () => undefined;
  await internals.realign();

  // Fetched from the client's own position, which is past the stored one: taking it would skip 5..7.
  internals.scheduleRealign();
  await internals.onBatch(batchOf(0, [8, 9]), heartbeat);
  expect(bufferedOffsets(internals)).toEqual([]);

  // Mid-batch: a seek (here the resume after a slow write) stops the batch where it is.
  const first = internals.onBatch(batchOf(0, [5, 6, 7]), heartbeat);
  await atOffset6;
  const consumer = internals.consumer as NonNullable<Internals['consumer']>;
  consumer.isPaused = true;
  consumer.resume = () => (consumer.isPaused = false);
  internals.resume();
  release();
  await first;
  expect(bufferedOffsets(internals)).toEqual([5]);
  await internals.onBatch(batchOf(0, [6, 7, 8]), heartbeat);
  expect(bufferedOffsets(internals)).toEqual([5, 6, 7, 8]);
});
