// Random command sequences over a few pools and request ids, and a harness that runs them through
// decide + evolve the way the processor does (one pool's state per command), for property tests.
import fc from 'fast-check';
import type { Command, CommandEnvelope, Decision, EventEnvelope, PoolState } from '../../../src/domain';
import {
  decide,
  evolve,
  initialState,
  InvalidReservationIdError,
  reservationIdFor,
  targetPoolId,
} from '../../../src/domain';

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

const step = (command: fc.Arbitrary<Command>, version: fc.Arbitrary<number | null> = fc.constant(null)) =>
  fc.record({ command, requestId, expectedVersion: version, advance: fc.nat({ max: 1000 }) });

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: step(
      fc.record({
        type: fc.constant('DefinePool' as const),
        poolId,
        zone: fc.constantFrom('north', 'north', 'north', 'south'),
        slotStart: fc.constant(1_000),
        slotEnd: fc.constantFrom(2_000, 2_000, 2_000, 3_000),
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
      slotStart: fc.constant(1_000),
      slotEnd: fc.constant(2_000),
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

/** Runs steps through decide + evolve, calling `check` after each command. */
export function run(steps: readonly Step[], check: (applied: Applied) => void = () => {}): Run {
  const states = new Map<string, PoolState>();
  const logs = new Map<string, EventEnvelope[]>();
  let now = 1_000_000;
  steps.forEach((s, i) => {
    now += s.advance;
    const envelope: CommandEnvelope = {
      commandId: `cmd-${i}`,
      requestId: s.requestId,
      issuedAt: now,
      expectedVersion: s.expectedVersion,
      command: s.command,
    };
    const target = routeOf(s.command);
    const before = (target && states.get(target)) || initialState;
    const decision = decide(before, envelope, now);
    const events = decision.status === 'accepted' ? decision.events : [];
    const after = events.reduce(evolve, before);
    if (target !== null && events.length > 0) {
      states.set(target, after);
      logs.set(target, [...(logs.get(target) ?? []), ...events]);
    }
    check({ envelope, now, before, decision, after });
  });
  return { states, logs };
}
