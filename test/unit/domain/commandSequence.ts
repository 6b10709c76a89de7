// Random command sequences over a few pools and request ids, and a harness that runs them through
// decide + evolve the way the processor does (one pool's state per command, expiry punctuated before
// every command), for property tests.
import fc from 'fast-check';
import type {
  Command,
  CommandEnvelope,
  Decision,
  EventEnvelope,
  LifecycleRules,
  PoolState,
} from '../../../src/domain';
import {
  decide,
  decideExpiry,
  evolve,
  expiryCommandId,
  initialState,
  InvalidReservationIdError,
  reservationIdFor,
  targetPoolId,
} from '../../../src/domain';

/**
 * Sequences start at 1_000_000 and advance up to 1 s per step, sometimes 5-15 s. Slots start at 1_020_000, so booking closes
 * at 1_010_000, slots end at 1_025_000 or 1_030_000 and pools expire 5 s later: sequences cross all three.
 */
export const RULES: LifecycleRules = { bookingCutoffMs: 10_000, expireAfterMs: 5_000 };
const START = 1_000_000;
const SLOT_START = 1_020_000;
const SLOT_END = 1_025_000;

const POOLS = ['p1', 'p2'] as const;
const REQUESTS = ['order-a', 'order-b', 'order-c', 'order-d'] as const;

const poolId = fc.constantFrom(...POOLS);
const requestId = fc.constantFrom(...REQUESTS);
// Mostly unconditional, sometimes a (possibly stale) expected version.
const adminVersion: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.nat({ max: 6 }) },
);
// Mostly valid, sometimes 0 (an invalid command).
const units = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

interface Step {
  readonly command: Command;
  readonly requestId: string;
  readonly expectedVersion: number | null;
  readonly advance: number;
}

const advance = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 1_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 15_000 }) },
);

const step = (command: fc.Arbitrary<Command>, version: fc.Arbitrary<number | null> = fc.constant(null)) =>
  fc.record({ command, requestId, expectedVersion: version, advance });

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: step(
      fc.record({
        type: fc.constant('DefinePool' as const),
        poolId,
        zone: fc.constantFrom('north', 'north', 'north', 'south'),
        slotStart: fc.constant(SLOT_START),
        slotEnd: fc.constantFrom(SLOT_END, SLOT_END, SLOT_END, SLOT_END + 5_000),
        capacity: fc.integer({ min: 0, max: 12 }),
      }),
      adminVersion,
    ),
  },
  {
    weight: 2,
    arbitrary: step(
      fc.record({
        type: fc.constant('ChangeCapacity' as const),
        poolId,
        capacity: fc.integer({ min: 0, max: 12 }),
      }),
      adminVersion,
    ),
  },
  {
    weight: 6,
    arbitrary: step(fc.record({ type: fc.constant('ReserveCapacity' as const), poolId, units })),
  },
  {
    weight: 4,
    arbitrary: step(
      fc
        .oneof(
          { weight: 9, arbitrary: fc.tuple(poolId, requestId).map(([p, r]) => reservationIdFor(p, r)) },
          { weight: 1, arbitrary: fc.constantFrom('r1.p1.bad', 'r2.p1.' + '0'.repeat(32), 'garbage') },
        )
        .map((reservationId): Command => ({ type: 'ReleaseCapacity', reservationId })),
    ),
  },
  {
    weight: 1,
    arbitrary: step(fc.record({ type: fc.constant('ClosePool' as const), poolId }), adminVersion),
  },
);

const definition = (pool: string) =>
  step(
    fc.record({
      type: fc.constant('DefinePool' as const),
      poolId: fc.constant(pool),
      zone: fc.constant('north'),
      slotStart: fc.constant(SLOT_START),
      slotEnd: fc.constant(SLOT_END),
      capacity: fc.integer({ min: 0, max: 12 }),
    }),
  );

/** Usually starts by defining some pools, so most sequences get past POOL_NOT_FOUND. */
export const stepsArb: fc.Arbitrary<Step[]> = fc
  .tuple(fc.subarray([...POOLS]), fc.array(stepArb, { minLength: 1, maxLength: 60 }))
  .chain(([defined, rest]) => fc.tuple(...defined.map(definition)).map((prefix) => [...prefix, ...rest]));

export interface Applied {
  readonly envelope: CommandEnvelope;
  readonly now: number;
  readonly before: PoolState;
  readonly decision: Decision;
  readonly after: PoolState;
}

export interface Run {
  readonly states: ReadonlyMap<string, PoolState>;
  readonly logs: ReadonlyMap<string, readonly EventEnvelope[]>;
}

/** The pool a command routes to, or null when its reservation id is malformed (rejected up front). */
export function routeOf(command: Command): string | null {
  try {
    return targetPoolId(command);
  } catch (e) {
    if (e instanceof InvalidReservationIdError) return null;
    throw e;
  }
}

/** Runs steps through decide + evolve under `RULES`, calling `check` after each command. */
export function run(steps: readonly Step[], check: (applied: Applied) => void = () => {}): Run {
  const states = new Map<string, PoolState>();
  const logs = new Map<string, EventEnvelope[]>();
  const apply = (poolId: string, before: PoolState, events: readonly EventEnvelope[]): PoolState => {
    const after = events.reduce(evolve, before);
    if (events.length > 0) {
      states.set(poolId, after);
      logs.set(poolId, [...(logs.get(poolId) ?? []), ...events]);
    }
    return after;
  };
  let now = START;
  steps.forEach((s, i) => {
    now += s.advance;
    // The processor's punctuation: every pool due at `now` expires before the next command is decided.
    for (const [poolId, state] of states) {
      if (state.pool === null) continue;
      const expiry = decideExpiry(state, expiryCommandId(state.pool), now, RULES);
      if (expiry.status === 'accepted') apply(poolId, state, expiry.events);
    }
    const envelope: CommandEnvelope = {
      commandId: `cmd-${i}`,
      requestId: s.requestId,
      issuedAt: now,
      expectedVersion: s.expectedVersion,
      command: s.command,
    };
    const target = routeOf(s.command);
    const before = (target && states.get(target)) || initialState;
    const decision = decide(before, envelope, now, RULES);
    const events = decision.status === 'accepted' ? decision.events : [];
    const after = target === null ? before : apply(target, before, events);
    check({ envelope, now, before, decision, after });
  });
  return { states, logs };
}
