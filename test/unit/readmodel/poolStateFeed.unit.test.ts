// The read model's decoding policy over the fake registry: a record it can never read is skipped (one bad
// pool must not stop availability for all), a registry outage is waited out, never a reason to skip.
import { AvroSerde, poolFromAvro, poolToAvro, readSchema } from '../../../src/contracts';
import type { Pool } from '../../../src/domain';
import { createLogger } from '../../../src/observability';
import { AvailabilityIndex, PoolStateFeed, type PoolStateRecord } from '../../../src/readmodel';
import { poolStates } from '../../fixtures/avro/samples';
import { FakeRegistry } from '../contracts/fakeRegistry';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const wire = (id: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
};

let registry: FakeRegistry;
let serde: AvroSerde<Pool>;
let index: AvailabilityIndex;
let feed: PoolStateFeed;

beforeEach(async () => {
  registry = new FakeRegistry(1);
  serde = new AvroSerde(
    registry.asClient(),
    't.pool-state-value',
    readSchema('pool-state'),
    poolToAvro,
    poolFromAvro,
  );
  await serde.register();
  // Another processor's registration of the same schema: an id this reader has not seen yet.
  registry.put(9, readSchema('pool-state') as object);
  index = new AvailabilityIndex();
  feed = new PoolStateFeed(index, (value) => serde.decode(value), createLogger('silent'), {
    retryMinMs: 5,
    retryMaxMs: 20,
  });
});

afterEach(() => feed.close());

const record = (offset: number, pool: Pool, schemaId = 9): PoolStateRecord => ({
  partition: 0,
  offset,
  key: Buffer.from(pool.poolId),
  value: wire(schemaId, serde.encode(pool).subarray(5)),
});

test('a registry outage stops the feed at that record until the registry answers; nothing is skipped', async () => {
  const open = poolStates.open;
  const later = { ...open, version: open.version + 1, reserved: open.reserved + 1 };
  registry.unreachable = true;
  let done = false;
  const applying = feed.apply([record(0, open), record(1, later)]).then(() => (done = true));
  await sleep(60);
  expect(done).toBe(false);
  expect(index.pool(open.poolId)).toBeNull();
  expect(feed.retrying).toMatch(/schema registry unavailable/);
  registry.unreachable = false;
  await applying;
  expect(index.pool(open.poolId)).toEqual(later);
  expect(feed.retrying).toBeNull();
});

test('a record that can never be read is skipped; the rest still apply', async () => {
  const garbage: PoolStateRecord = {
    partition: 0,
    offset: 0,
    key: Buffer.from('x'),
    value: Buffer.from('{}'),
  };
  await feed.apply([garbage, record(1, poolStates.open, 1)]);
  expect(index.pool(poolStates.open.poolId)).toEqual(poolStates.open);
  expect(feed.skipped).toBe(1);
});

test('closing the feed ends a wait for the registry', async () => {
  registry.unreachable = true;
  const applying = feed.apply([record(0, poolStates.open)]).catch((e: unknown) => e);
  await sleep(20);
  feed.close();
  expect(await applying).toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
});
