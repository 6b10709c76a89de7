// ADR 12: a pool expires expireAfterMs after its slot ends (decideExpiry, driven by the processor's
// punctuation); from then on every command for it is POOL_EXPIRED, with or without its reservations.
import type { Command, EventEnvelope, LifecycleRules, PoolState } from '../../../src/domain';
import {
  decide,
  decideExpiry,
  DEFAULT_RULES,
  evolve,
  expiredPoolMarker,
  expiresAt,
  expiryCommandId,
  foldEvents,
  initialState,
  poolOfExpiredMarker,
  reservationIdFor,
} from '../../../src/domain';
import { given, givenState } from './deciderSpecification';
import {
  BOOKABLE_UNTIL,
  changeCapacity,
  closePool,
  definePool,
  envelope,
  NOW,
  POOL,
  poolClosed,
  poolDefined,
  poolExpired,
  release,
  released,
  reserve,
  reserved,
  SLOT_END,
  SLOT_START,
  ZONE,
} from './fixtures';

const DAY = 86_400_000;
const EXPIRES = SLOT_END + DAY;
const iso = (ms: number) => new Date(ms).toISOString();

describe('expiresAt', () => {
  it('is slotEnd + expireAfterMs (1 day by default)', () => {
    const pool = given([poolDefined(10)]).state.pool!;
    expect(expiresAt(pool, DEFAULT_RULES)).toBe(EXPIRES);
    expect(expiresAt(pool, { bookingCutoffMs: 0, expireAfterMs: 0 })).toBe(SLOT_END);
  });
});

describe('decideExpiry', () => {
  const open = given([poolDefined(10), reserved('a', 2)]).state;

  it('is accepted with no events before the pool is due', () => {
    expect(decideExpiry(open, 'expiry:x:3', EXPIRES - 1, DEFAULT_RULES)).toEqual({
      status: 'accepted',
      events: [],
      poolVersion: 2,
      reservationId: null,
    });
  });

  it.each([
    ['at', EXPIRES],
    ['after', EXPIRES + 5 * DAY],
  ])('expires the pool %s expiresAt: one PoolExpired, version + 1, at now, under the given id', (_w, now) => {
    const commandId = expiryCommandId(open.pool!);
    expect(commandId).toBe(`expiry:${POOL}:3`);
    expect(decideExpiry(open, commandId, now, DEFAULT_RULES)).toEqual({
      status: 'accepted',
      events: [{ poolId: POOL, version: 3, commandId, occurredAt: now, event: { type: 'PoolExpired' } }],
      poolVersion: 3,
      reservationId: null,
    });
  });

  it('follows the rules passed in', () => {
    const rules: LifecycleRules = { bookingCutoffMs: 0, expireAfterMs: 60_000 };
    expect(decideExpiry(open, 'e', SLOT_END + 59_999, rules)).toMatchObject({ events: [] });
    expect(decideExpiry(open, 'e', SLOT_END + 60_000, rules)).toMatchObject({ events: [{ version: 3 }] });
  });

  it('expires closed pools too', () => {
    const closed = given([poolDefined(10), poolClosed()]).state;
    expect(decideExpiry(closed, 'e', EXPIRES, DEFAULT_RULES)).toMatchObject({
      events: [{ version: 3, event: { type: 'PoolExpired' } }],
    });
  });

  it('does nothing for a pool that has already expired (a punctuation may ask twice)', () => {
    const expired = given([poolDefined(10), poolExpired()]).state;
    expect(decideExpiry(expired, 'e', EXPIRES + DAY, DEFAULT_RULES)).toEqual({
      status: 'accepted',
      events: [],
      poolVersion: 2,
      reservationId: null,
    });
  });

  it('does nothing without a pool', () => {
    expect(decideExpiry(initialState, 'e', EXPIRES, DEFAULT_RULES)).toEqual({
      status: 'accepted',
      events: [],
      poolVersion: 0,
      reservationId: null,
    });
  });
});

describe('evolve(PoolExpired)', () => {
  it('sets status expired and stamps version and time; the folded reservations stay', () => {
    const before = given([poolDefined(10), reserved('a', 2)]).state;
    const after = evolve(before, {
      poolId: POOL,
      version: 3,
      commandId: 'expiry:p:3',
      occurredAt: EXPIRES,
      event: { type: 'PoolExpired' },
    });
    expect(after.pool).toEqual({ ...before.pool, status: 'expired', version: 3, updatedAt: EXPIRES });
    expect(after.reservations).toBe(before.reservations);
  });

  it('refuses an expiry before PoolDefined', () => {
    expect(() =>
      evolve(initialState, { poolId: POOL, version: 1, commandId: 'e', occurredAt: 1, event: poolExpired() }),
    ).toThrow(/PoolExpired \(version 1\) for pool .* before PoolDefined/);
  });
});

describe('every command for an expired pool is POOL_EXPIRED (HTTP 410)', () => {
  const history = [poolDefined(10), reserved('order-1', 2), reserved('order-2', 1), released('order-2', 1)];
  const expired = given([...history, poolExpired()]);
  const expiredAt = iso(expired.state.pool!.updatedAt);
  const message = `pool ${POOL} expired at ${expiredAt}; define the slot under a new pool id`;

  // Every row has three entries: jest would take a missing one for a `done` callback.
  const commands: [string, Command, string | null][] = [
    ['DefinePool, identical', definePool(), null],
    ['DefinePool, other capacity', definePool({ capacity: 20 }), null],
    ['DefinePool, other slot', definePool({ slotStart: SLOT_START - 1 }), null],
    ['ChangeCapacity', changeCapacity(4), null],
    ['ChangeCapacity, same capacity', changeCapacity(10), null],
    ['ReserveCapacity, new', reserve(1), null],
    ['ReserveCapacity, retry of a reservation', reserve(2), 'order-1'],
    ['ReleaseCapacity, reserved', release(reservationIdFor(POOL, 'order-1')), null],
    ['ReleaseCapacity, already released', release(reservationIdFor(POOL, 'order-2')), null],
    ['ReleaseCapacity, unknown', release(reservationIdFor(POOL, 'order-9')), null],
    ['ClosePool', closePool(), null],
  ];

  it.each(commands)('%s', (_name, command, requestId) => {
    const rejected = expired
      .when(envelope(command, requestId === null ? {} : { requestId }), EXPIRES + 1)
      .thenRejected('POOL_EXPIRED', message);
    expect(rejected.poolVersion).toBe(5);
  });

  it.each(commands)(
    '%s: the same answer from the marker alone (the processor deletes state and reservations)',
    (_name, command, requestId) => {
      const env = envelope(command, requestId === null ? {} : { requestId });
      const fromMarker: PoolState = {
        pool: poolOfExpiredMarker(expiredPoolMarker(expired.state.pool!)),
        reservations: {},
      };
      expect(decide(fromMarker, env, EXPIRES + 1)).toEqual(decide(expired.state, env, EXPIRES + 1));
    },
  );

  it('a malformed command is still INVALID_COMMAND', () => {
    expired.when(envelope(reserve(0))).thenRejected('INVALID_COMMAND');
  });
});

describe('the expired-pool marker', () => {
  it('keeps the slot, the last version and the expiry time', () => {
    const pool = given([poolDefined(10), poolExpired()]).state.pool!;
    expect(expiredPoolMarker(pool)).toEqual({
      poolId: POOL,
      zone: ZONE,
      slotStart: SLOT_START,
      slotEnd: SLOT_END,
      version: 2,
      expiredAt: pool.updatedAt,
    });
  });

  it('is only made of an expired pool', () => {
    expect(() => expiredPoolMarker(given([poolDefined(10)]).state.pool!)).toThrow(/is open, not expired/);
  });

  it('reads back as an expired pool at its version', () => {
    const marker = { poolId: POOL, zone: ZONE, slotStart: 1, slotEnd: 2, version: 9, expiredAt: 3 };
    expect(poolOfExpiredMarker(marker)).toMatchObject({ status: 'expired', version: 9, updatedAt: 3 });
  });
});

describe('replay is deterministic: the rules shape new facts only', () => {
  const strict: LifecycleRules = { bookingCutoffMs: 2 * 3_600_000, expireAfterMs: DAY };
  const lenient: LifecycleRules = { bookingCutoffMs: 0, expireAfterMs: DAY };

  /** Runs commands through decide under `rules` and returns the journal they produce. */
  function journal(rules: LifecycleRules): EventEnvelope[] {
    let state: PoolState = initialState;
    const events: EventEnvelope[] = [];
    const steps: [Command, number, string][] = [
      [definePool(), NOW, 'admin-1'],
      [reserve(2), NOW + 1_000, 'order-1'],
    ];
    for (const [command, now, requestId] of steps) {
      const decision = decide(state, envelope(command, { requestId }), now, rules);
      if (decision.status !== 'accepted') throw new Error(decision.message);
      state = decision.events.reduce(evolve, state);
      events.push(...decision.events);
    }
    return events;
  }

  it('folding the journal gives the state decide built, whatever rules are current when replaying', () => {
    const events = journal(strict);
    const folded = foldEvents(events);
    expect(folded.pool?.bookableUntil).toBe(SLOT_START - 2 * 3_600_000);
    // Replaying under other rules: there is nothing to pass, evolve does not take them.
    expect(foldEvents(events)).toEqual(folded);
  });

  it('later decisions use the cut-off in the event, not the rules passed then', () => {
    const folded = foldEvents(journal(strict));
    const between = SLOT_START - 3_600_000; // closed under strict, open under lenient or default
    givenState(folded)
      .when(envelope(reserve(1)), between, lenient)
      .thenRejected('BOOKING_CLOSED');
    const underLenient = foldEvents(journal(lenient));
    expect(underLenient.pool?.bookableUntil).toBe(SLOT_START);
    givenState(underLenient)
      .when(envelope(reserve(1), { requestId: 'late' }), between, strict)
      .then([reserved('late', 1)]);
  });

  it('an old PoolDefined (no cut-off) folds to bookableUntil = slotStart under any rules', () => {
    expect(given([poolDefined(10, null)]).state.pool?.bookableUntil).toBe(SLOT_START);
    expect(given([poolDefined(10)]).state.pool?.bookableUntil).toBe(BOOKABLE_UNTIL);
  });
});
