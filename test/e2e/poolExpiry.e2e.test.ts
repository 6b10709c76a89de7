// Booking cut-off and expiry with real processor processes (ADR 12), on real time kept short: a slot that
// ends a few seconds from now, expiry one second after its end, a punctuation every 200 ms.
import type { CapacityClient } from '../../src/client';
import { createSerdes, topicNames, type Serdes } from '../../src/contracts';
import type { EventEnvelope } from '../../src/domain';
import { createKafka, readToEnd, type RecordRead } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { serviceEnv, type ServiceEnv } from '../support/serviceEnv';

let env: ServiceEnv;
let client: CapacityClient;

afterEach(async () => {
  await client?.close();
  await env?.killAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every record of a topic (all partitions), in offset order per partition. */
async function readTopic(topic: string): Promise<RecordRead[]> {
  const kafka = createKafka(env.config, { clientId: 'expiry-reader', logger: createLogger('error') });
  const records: RecordRead[] = [];
  await readToEnd(
    kafka,
    'expiry-reader',
    Array.from({ length: env.config.partitions }, (_, partition) => ({ topic, partition, fromOffset: null })),
    async (batch) => {
      records.push(...batch);
    },
  );
  return records;
}

/** What a compacted topic keeps of each key: its last record; a tombstone is null. */
const lastByKey = (records: readonly RecordRead[]) =>
  new Map(records.map((r) => [r.key?.toString() ?? '', r.value] as const));

/** A labelled gauge from Prometheus text. */
function gauge(text: string, metric: string, label: string): number {
  const match = new RegExp(`^${metric}\\{kind="${label}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

test('a pool is retired after its slot: PoolExpired, tombstones, a marker; commands get POOL_EXPIRED, also after a restore elsewhere', async () => {
  env = await serviceEnv({
    CAPACITY_EXPIRE_AFTER_MS: '1000',
    CAPACITY_PUNCTUATE_INTERVAL_MS: '200',
  });
  client = await env.client();
  const first = await env.startProcessor('first');
  const topics = topicNames(env.config.topicPrefix);
  const serdes: Serdes = createSerdes({ url: env.config.registryUrl }, topics);

  const now = Date.now();
  const slotStart = now + 1500;
  const slotEnd = now + 3000;
  const short = { type: 'DefinePool' as const, zone: 'north', slotStart, slotEnd, capacity: 10 };
  expect((await client.submit({ ...short, poolId: 'soon-over', bookableUntil: slotEnd })).status).toBe(
    'accepted',
  );
  // Defined without its own cut-off: the default (one hour before the start) has already passed.
  expect((await client.submit({ ...short, poolId: 'cut-off' })).status).toBe('accepted');
  const later = { slotStart: now + 7 * 86_400_000, slotEnd: now + 7 * 86_400_000 + 7_200_000 };
  await client.submit({ type: 'DefinePool', poolId: 'next-week', zone: 'north', ...later, capacity: 10 });

  const kept = await client.reserve('soon-over', 2);
  const released = await client.reserve('soon-over', 3);
  expect(kept.status).toBe('accepted');
  expect((await client.release(released.reservationId as string)).status).toBe('accepted');
  expect(await client.reserve('cut-off', 1)).toMatchObject({
    status: 'rejected',
    reasonCode: 'BOOKING_CLOSED',
  });
  const nextWeek = await client.reserve('next-week', 4);
  expect(nextWeek.status).toBe('accepted');

  // After the slot ends, releases are refused; one second later the pool expires, with no command arriving.
  while (Date.now() < slotEnd + 100) await sleep(100);
  expect(await client.release(kept.reservationId as string)).toMatchObject({
    status: 'rejected',
    reasonCode: expect.stringMatching(/^(SLOT_ENDED|POOL_EXPIRED)$/),
  });
  let journal: EventEnvelope[] = [];
  for (let i = 0; i < 100; i++) {
    journal = await Promise.all((await readTopic(topics.events)).map((r) => serdes.event.decode(r.value)));
    if (journal.filter((e) => e.event.type === 'PoolExpired').length === 2) break;
    await sleep(200);
  }
  const expiredEvents = journal.filter((e) => e.event.type === 'PoolExpired');
  expect(expiredEvents.map((e) => e.poolId).sort()).toEqual(['cut-off', 'soon-over']);
  const soonOver = journal.filter((e) => e.poolId === 'soon-over');
  expect(soonOver.map((e) => e.version)).toEqual(soonOver.map((_, i) => i + 1));
  expect(soonOver.at(-1)?.event.type).toBe('PoolExpired');

  // The compacted changelogs: tombstones for the pools and every reservation, a marker per expired pool.
  const pools = lastByKey(await readTopic(topics.poolState));
  expect(pools.get('soon-over')).toBeNull();
  expect(pools.get('cut-off')).toBeNull();
  expect(pools.get('next-week')).not.toBeNull();
  const reservations = lastByKey(await readTopic(topics.reservations));
  expect(reservations.get(kept.reservationId as string)).toBeNull();
  expect(reservations.get(released.reservationId as string)).toBeNull();
  expect(reservations.get(nextWeek.reservationId as string)).not.toBeNull();
  const markers = lastByKey(await readTopic(topics.expiredPools));
  expect([...markers.keys()].sort()).toEqual(['cut-off', 'soon-over']);
  const marker = await serdes.expiredPool.decode(markers.get('soon-over') ?? null);
  expect(marker).toMatchObject({ poolId: 'soon-over', slotEnd, version: soonOver.length });

  // Local state holds only the live pool and its reservation.
  const metrics = await first.metrics();
  expect(gauge(metrics, 'capacity_processor_stored_entries', 'pool')).toBe(1);
  expect(gauge(metrics, 'capacity_processor_stored_entries', 'reservation')).toBe(1);
  expect(gauge(metrics, 'capacity_processor_stored_entries', 'marker')).toBe(2);

  for (const outcome of [
    await client.reserve('soon-over', 1),
    await client.release(kept.reservationId as string),
    await client.submit({ type: 'ChangeCapacity', poolId: 'soon-over', capacity: 20 }),
  ]) {
    expect(outcome).toMatchObject({ status: 'rejected', reasonCode: 'POOL_EXPIRED' });
  }

  // Another instance with empty local state restores from the changelogs: no trace of the pools but
  // their markers, so it answers the same.
  await first.stop();
  const second = await env.startProcessor('second');
  expect(await client.reserve('soon-over', 1)).toMatchObject({
    status: 'rejected',
    reasonCode: 'POOL_EXPIRED',
  });
  expect((await client.reserve('next-week', 1)).status).toBe('accepted');
  const restored = await second.metrics();
  expect(gauge(restored, 'capacity_processor_stored_entries', 'pool')).toBe(1);
  expect(gauge(restored, 'capacity_processor_stored_entries', 'reservation')).toBe(2);

  const check = await env.check();
  expect(check.violations).toEqual([]);
  expect(check.results).toBe(check.commands);
});

test('markers are dropped after their retention: the pool is then unknown', async () => {
  env = await serviceEnv({
    CAPACITY_EXPIRE_AFTER_MS: '0',
    CAPACITY_EXPIRED_POOL_RETENTION_MS: '2000',
    CAPACITY_PUNCTUATE_INTERVAL_MS: '200',
  });
  client = await env.client();
  await env.startProcessor('only');
  const topics = topicNames(env.config.topicPrefix);
  const slotEnd = Date.now() + 1000;
  await client.submit({
    type: 'DefinePool',
    poolId: 'brief',
    zone: 'north',
    slotStart: slotEnd - 500,
    slotEnd,
    bookableUntil: slotEnd,
    capacity: 1,
  });

  // Reserves until the pool is forgotten: accepted, full, then (slot over) expired, then unknown.
  const codes: string[] = [];
  for (let i = 0; i < 150 && codes.at(-1) !== 'POOL_NOT_FOUND'; i++) {
    const answer = await client.reserve('brief', 1);
    const code = answer.reasonCode ?? 'ACCEPTED';
    if (codes.at(-1) !== code) codes.push(code);
    await sleep(100);
  }
  expect(codes.at(-1)).toBe('POOL_NOT_FOUND');
  expect(codes.slice(-2)).toEqual(['POOL_EXPIRED', 'POOL_NOT_FOUND']);
  const markers = await readTopic(topics.expiredPools);
  expect(markers.map((r) => r.value === null)).toEqual([false, true]);

  const check = await env.check();
  expect(check.violations).toEqual([]);
});
