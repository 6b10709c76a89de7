// ADR 12: once a slot has ended, what happened in it is settled: no releases, no capacity changes, and
// no new pool for it. Retries of what was done before still get their answer.
import { reservationIdFor } from '../../../src/domain';
import { given } from './deciderSpecification';
import {
  changeCapacity,
  closePool,
  definePool,
  envelope,
  NOW,
  POOL,
  poolClosed,
  poolDefined,
  release,
  released,
  reserved,
  SLOT_END,
  SLOT_START,
} from './fixtures';

const iso = (ms: number) => new Date(ms).toISOString();
const order1 = reservationIdFor(POOL, 'order-1');

describe('DefinePool of a slot that has ended', () => {
  it.each([
    ['at', SLOT_END],
    ['after', SLOT_END + 1],
  ])('a new pool is rejected %s slotEnd (SLOT_ENDED)', (_when, now) => {
    given([])
      .when(envelope(definePool()), now)
      .thenRejected('SLOT_ENDED', `pool ${POOL} cannot be defined: its slot ended at ${iso(SLOT_END)}`);
  });

  it('names a slot end beyond what a Date holds as a number instead of failing', () => {
    given([])
      .when(envelope(definePool({ slotStart: -9e15 - 2, slotEnd: -9e15 })))
      .thenRejected('SLOT_ENDED', 'its slot ended at -9000000000000000 (epoch ms)');
  });

  it('a new pool whose slot has started but not ended is defined (its cut-off may have passed)', () => {
    given([])
      .when(envelope(definePool()), SLOT_END - 1)
      .then([poolDefined(10)]);
  });

  it('SLOT_ENDED comes before a version conflict: no version makes the slot bookable', () => {
    given([])
      .when(envelope(definePool(), { expectedVersion: 4 }), SLOT_END)
      .thenRejected('SLOT_ENDED');
  });

  it('an identical definition of an existing pool is still answered (a retry), no events', () => {
    given([poolDefined(10)])
      .when(envelope(definePool()), SLOT_END + 1)
      .thenNoEvents();
  });

  it('a capacity upsert of an existing pool is SLOT_ENDED, as ChangeCapacity is', () => {
    given([poolDefined(10)])
      .when(envelope(definePool({ capacity: 12 })), SLOT_END)
      .thenRejected('SLOT_ENDED', /its capacity can no longer be changed/);
  });
});

describe('ReleaseCapacity and the slot end', () => {
  it('releases until just before the slot ends (after the cut-off too)', () => {
    given([poolDefined(10), reserved('order-1', 2)])
      .when(envelope(release(order1)), SLOT_END - 1)
      .then([released('order-1', 2)]);
  });

  it.each([
    ['at', SLOT_END],
    ['after', SLOT_END + 3_600_000],
  ])('rejects %s slotEnd (SLOT_ENDED), naming the end in ISO-8601', (_when, now) => {
    given([poolDefined(10), reserved('order-1', 2)])
      .when(envelope(release(order1)), now)
      .thenRejected(
        'SLOT_ENDED',
        `the slot of pool ${POOL} ended at ${iso(SLOT_END)}; its reservations can no longer be released`,
      );
  });

  it('an already released reservation still answers its release (a retry)', () => {
    const replay = given([poolDefined(10), reserved('order-1', 2), released('order-1', 2)])
      .when(envelope(release(order1)), SLOT_END + 1)
      .thenNoEvents();
    expect(replay.reservationId).toBe(order1);
  });

  it('an unknown reservation is RESERVATION_NOT_FOUND, also after the slot', () => {
    given([poolDefined(10)])
      .when(envelope(release(order1)), SLOT_END)
      .thenRejected('RESERVATION_NOT_FOUND');
  });

  it('a closed pool’s slot end counts the same', () => {
    given([poolDefined(10), reserved('order-1', 2), poolClosed()])
      .when(envelope(release(order1)), SLOT_END)
      .thenRejected('SLOT_ENDED');
  });
});

describe('ChangeCapacity and the slot end', () => {
  it('changes capacity until just before the slot ends', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(4)), SLOT_END - 1)
      .then([{ type: 'CapacityChanged', capacity: 4, previousCapacity: 10 }]);
  });

  it('rejects at slotEnd (SLOT_ENDED), naming the end', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(4)), SLOT_END)
      .thenRejected(
        'SLOT_ENDED',
        `the slot of pool ${POOL} ended at ${iso(SLOT_END)}; its capacity can no longer be changed`,
      );
  });

  it('the same capacity is still accepted with no events (a retry), and before the version check', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(10), { expectedVersion: 7 }), SLOT_END + 1)
      .thenNoEvents();
  });

  it('SLOT_ENDED comes before a version conflict, POOL_CLOSED before SLOT_ENDED', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(4), { expectedVersion: 7 }), SLOT_END)
      .thenRejected('SLOT_ENDED');
    given([poolDefined(10), poolClosed()])
      .when(envelope(changeCapacity(4)), SLOT_END)
      .thenRejected('POOL_CLOSED');
  });
});

describe('ClosePool and the slot end', () => {
  it('closing stays possible after the slot (until the pool expires)', () => {
    given([poolDefined(10)])
      .when(envelope(closePool()), SLOT_END + 1)
      .then([{ type: 'PoolClosed' }]);
  });
});

test('the fixtures’ NOW is before every boundary', () => {
  expect(NOW).toBeLessThan(SLOT_START - 3_600_000);
});
