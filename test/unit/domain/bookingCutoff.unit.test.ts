// ADR 12: a pool is bookable until its cut-off, resolved once when it is defined and carried by the event.
import { DEFAULT_RULES, reservationIdFor } from '../../../src/domain';
import { given } from './deciderSpecification';
import {
  BOOKABLE_UNTIL,
  definePool,
  envelope,
  NOW,
  POOL,
  poolClosed,
  poolDefined,
  released,
  reserve,
  reserved,
  SLOT_END,
  SLOT_START,
} from './fixtures';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('DefinePool resolves the booking cut-off into PoolDefined', () => {
  it('by default, slotStart minus the rules’ bookingCutoffMs (1 hour by default)', () => {
    expect(DEFAULT_RULES).toEqual({ bookingCutoffMs: 3_600_000, expireAfterMs: 86_400_000 });
    const accepted = given([])
      .when(envelope(definePool()))
      .then([poolDefined(10, SLOT_START - 3_600_000)]);
    expect(accepted.events[0]?.event).toMatchObject({ bookableUntil: BOOKABLE_UNTIL });
  });

  it('from the rules passed in, not from a constant', () => {
    given([])
      .when(envelope(definePool()), NOW, { bookingCutoffMs: 30 * MINUTE, expireAfterMs: 0 })
      .then([poolDefined(10, SLOT_START - 30 * MINUTE)]);
  });

  it('a cut-off given by the command wins over the rules, also one inside the slot or at its end', () => {
    for (const bookableUntil of [SLOT_START - 3 * 3_600_000, SLOT_START + 10 * MINUTE, SLOT_END]) {
      given([])
        .when(envelope(definePool({ bookableUntil })))
        .then([poolDefined(10, bookableUntil)]);
    }
  });

  it('an explicit null means the default', () => {
    given([])
      .when(envelope(definePool({ bookableUntil: null })))
      .then([poolDefined(10, BOOKABLE_UNTIL)]);
  });

  it.each([
    [1.5, /^command\.bookableUntil: must be null or an integer > 0 \(epoch ms\) \(got 1\.5\)$/],
    [0, /^command\.bookableUntil: must be null or an integer > 0 \(epoch ms\) \(got 0\)$/],
    [-5, /\(got -5\)$/],
    ['2025-06-01T09:00:00Z', /^command\.bookableUntil: .*\(got "2025-06-01T09:00:00Z"\)$/],
    [
      SLOT_END + 1,
      new RegExp(
        `^command\\.bookableUntil: must not be after command\\.slotEnd \\(got bookableUntil ${SLOT_END + 1}, slotEnd ${SLOT_END}\\)$`,
      ),
    ],
  ])('rejects bookableUntil %p (INVALID_COMMAND), naming the field', (bookableUntil, message) => {
    given([])
      .when(envelope(definePool({ bookableUntil: bookableUntil as number })))
      .thenRejected('INVALID_COMMAND', message);
  });

  describe('for an existing pool', () => {
    it('a definition without a cut-off keeps the pool’s, whatever the rules say today', () => {
      given([poolDefined(10, SLOT_START - 5 * MINUTE)])
        .when(envelope(definePool()), NOW, { bookingCutoffMs: 2 * 3_600_000, expireAfterMs: 0 })
        .thenNoEvents();
    });

    it('the same cut-off is an identical definition (no events)', () => {
      given([poolDefined(10, SLOT_START - 5 * MINUTE)])
        .when(envelope(definePool({ bookableUntil: SLOT_START - 5 * MINUTE })))
        .thenNoEvents();
    });

    it('another cut-off is POOL_ALREADY_DEFINED, naming both values', () => {
      given([poolDefined(10)])
        .when(envelope(definePool({ bookableUntil: SLOT_START, capacity: 20 })))
        .thenRejected(
          'POOL_ALREADY_DEFINED',
          `pool ${POOL} is already defined with a different bookableUntil (defined ${BOOKABLE_UNTIL}, requested ${SLOT_START})`,
        );
    });

    it('a pool from before the cut-off existed has slotStart as its cut-off', () => {
      given([poolDefined(10, null)])
        .when(envelope(definePool({ bookableUntil: SLOT_START })))
        .thenNoEvents();
    });
  });
});

describe('ReserveCapacity and the cut-off', () => {
  it('reserves until just before the cut-off', () => {
    given([poolDefined(10)])
      .when(envelope(reserve(1), { requestId: 'order-1' }), BOOKABLE_UNTIL - 1)
      .then([reserved('order-1', 1)]);
  });

  it.each([
    ['at', BOOKABLE_UNTIL],
    ['after', BOOKABLE_UNTIL + 1],
    ['long after', SLOT_END + 1],
  ])('rejects %s the cut-off (BOOKING_CLOSED), naming the cut-off and the slot in ISO-8601', (_when, now) => {
    given([poolDefined(10)])
      .when(envelope(reserve(1)), now)
      .thenRejected(
        'BOOKING_CLOSED',
        `booking for pool ${POOL} closed at ${iso(BOOKABLE_UNTIL)} (slot ${iso(SLOT_START)} to ${iso(SLOT_END)})`,
      );
  });

  it('uses the pool’s own cut-off, not the rules passed at the time of the reserve', () => {
    const lenient = { bookingCutoffMs: 0, expireAfterMs: 0 };
    given([poolDefined(10)])
      .when(envelope(reserve(1)), BOOKABLE_UNTIL, lenient)
      .thenRejected('BOOKING_CLOSED');
  });

  it('honours a per-pool cut-off inside the slot', () => {
    given([poolDefined(10, SLOT_START + 30 * MINUTE)])
      .when(envelope(reserve(1), { requestId: 'late' }), SLOT_START + 10 * MINUTE)
      .then([reserved('late', 1)]);
  });

  it('a pool defined before the cut-off existed (PoolDefined without it) is bookable until slotStart', () => {
    const old = given([poolDefined(10, null)]);
    expect(old.state.pool?.bookableUntil).toBe(SLOT_START);
    old.when(envelope(reserve(1), { requestId: 'o' }), SLOT_START - 1).then([reserved('o', 1)]);
    old.when(envelope(reserve(1)), SLOT_START).thenRejected('BOOKING_CLOSED', iso(SLOT_START));
  });

  describe('a retry after the cut-off is still answered (idempotency wins)', () => {
    it('with the original reservation', () => {
      const replay = given([poolDefined(10), reserved('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-1' }), BOOKABLE_UNTIL + MINUTE)
        .thenNoEvents();
      expect(replay.reservationId).toBe(reservationIdFor(POOL, 'order-1'));
    });

    it('also when it was released since, and after the slot ended', () => {
      given([poolDefined(10), reserved('order-1', 2), released('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-1' }), SLOT_END + MINUTE)
        .thenNoEvents();
    });

    it('the same key with other units is still IDEMPOTENCY_KEY_REUSED, not BOOKING_CLOSED', () => {
      given([poolDefined(10), reserved('order-1', 2)])
        .when(envelope(reserve(3), { requestId: 'order-1' }), BOOKABLE_UNTIL)
        .thenRejected('IDEMPOTENCY_KEY_REUSED');
    });
  });

  it('a closed pool says POOL_CLOSED after the cut-off too', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(reserve(1)), BOOKABLE_UNTIL)
      .thenRejected('POOL_CLOSED');
  });

  it('BOOKING_CLOSED comes before the capacity check', () => {
    given([poolDefined(1), reserved('a', 1)])
      .when(envelope(reserve(1)), BOOKABLE_UNTIL)
      .thenRejected('BOOKING_CLOSED');
  });
});
