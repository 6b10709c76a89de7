// Invariants of decide + evolve over arbitrary command sequences.
import fc from 'fast-check';
import type { PoolState } from '../../../src/domain';
import { decide, evolve, foldEvents, reservationIdFor } from '../../../src/domain';
import { run, routeOf, RULES, stepsArb } from './commandSequence';
import { onlyReadable } from './onlyReadable';

const numRuns = 300;

const sumOfUnreleased = (state: PoolState): number =>
  Object.values(state.reservations)
    .filter((r) => r.status === 'reserved')
    .reduce((sum, r) => sum + r.units, 0);

describe('decider properties', () => {
  it('(a) an accepted reservation never takes reserved over capacity at the time it is made', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        run(steps, ({ before, decision }) => {
          if (decision.status !== 'accepted') return;
          let state = before;
          for (const e of decision.events) {
            if (e.event.type === 'CapacityReserved') {
              expect(state.pool!.status).toBe('open');
              expect(e.occurredAt).toBeLessThan(state.pool!.bookableUntil);
              expect(state.pool!.reserved + e.event.units).toBeLessThanOrEqual(state.pool!.capacity);
            }
            state = evolve(state, e);
          }
        });
      }),
      { numRuns },
    );
  });

  it('(b) reserved always equals the units of unreleased reservations, and is never negative', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        run(steps, ({ after }) => {
          if (after.pool === null) return;
          expect(after.pool.reserved).toBe(sumOfUnreleased(after));
          expect(after.pool.reserved).toBeGreaterThanOrEqual(0);
        });
      }),
      { numRuns },
    );
  });

  it('(c) folding all events rebuilds the incremental state', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { states, logs } = run(steps);
        for (const [poolId, state] of states) expect(foldEvents(logs.get(poolId) ?? [])).toEqual(state);
      }),
      { numRuns },
    );
  });

  it('(d) any command applied twice in a row yields no new events the second time', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        run(steps, ({ envelope, now, decision, after }) => {
          // At the same time: a later one may cross a cut-off and turn one rejection into another.
          const again = decide(after, envelope, now, RULES);
          if (decision.status === 'rejected') {
            // A rejection changed nothing, so the retry gets the very same answer.
            expect(again).toEqual(decision);
            return;
          }
          expect(again).toEqual({
            status: 'accepted',
            events: [],
            poolVersion: decision.poolVersion,
            reservationId: decision.reservationId,
          });
        });
      }),
      { numRuns },
    );
  });

  it('(e) versions are contiguous from 1 in every pool, and decisions report them', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { logs } = run(steps, ({ before, decision, after }) => {
          const version = before.pool?.version ?? 0;
          if (decision.status === 'rejected') expect(decision.poolVersion).toBe(version);
          else expect(decision.poolVersion).toBe(after.pool?.version ?? 0);
        });
        for (const log of logs.values()) expect(log.map((e) => e.version)).toEqual(log.map((_, i) => i + 1));
      }),
      { numRuns },
    );
  });

  it('(f) decide reads only the reservation the command names', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        run(steps, ({ envelope, now, before, decision }) => {
          const command = envelope.command;
          if (routeOf(command) === null) return;
          // Admin commands may read no reservation at all: allow only a key that never exists.
          const named =
            command.type === 'ReleaseCapacity'
              ? command.reservationId
              : command.type === 'ReserveCapacity'
                ? reservationIdFor(command.poolId, envelope.requestId)
                : '';
          const narrowed: PoolState = {
            pool: before.pool,
            reservations: onlyReadable(before.reservations, named),
          };
          expect(decide(narrowed, envelope, now, RULES)).toEqual(decision);
        });
      }),
      { numRuns },
    );
  });
  it('(g) a retry of an accepted command is answered with no events at any later time before expiry', () => {
    fc.assert(
      fc.property(stepsArb, fc.nat({ max: 100_000 }), (steps, later) => {
        run(steps, ({ envelope, now, decision, after }) => {
          if (decision.status !== 'accepted' || after.pool?.status === 'expired') return;
          // Past the cut-off and the slot end too: idempotency comes before the lifecycle's rejections.
          expect(decide(after, envelope, now + later, RULES)).toEqual({
            status: 'accepted',
            events: [],
            poolVersion: decision.poolVersion,
            reservationId: decision.reservationId,
          });
        });
      }),
      { numRuns },
    );
  });

  it('(h) nothing changes a pool once it has expired, and only an expiry follows the slot end by expireAfterMs', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { logs } = run(steps, ({ before, decision }) => {
          if (before.pool?.status !== 'expired') return;
          // Only a malformed command is told so first.
          expect(decision.status).toBe('rejected');
          if (decision.status === 'rejected')
            expect(['POOL_EXPIRED', 'INVALID_COMMAND']).toContain(decision.code);
        });
        for (const log of logs.values()) {
          const expiries = log.filter((e) => e.event.type === 'PoolExpired');
          expect(expiries.length).toBeLessThanOrEqual(1);
          if (expiries.length === 1) {
            expect(log.at(-1)).toBe(expiries[0]);
            const defined = log[0]!.event;
            if (defined.type !== 'PoolDefined') throw new Error('first event is not PoolDefined');
            expect(expiries[0]!.occurredAt).toBeGreaterThanOrEqual(defined.slotEnd + RULES.expireAfterMs);
          }
          // No pool is defined once its slot has ended.
          const first = log[0]!;
          if (first.event.type === 'PoolDefined') expect(first.occurredAt).toBeLessThan(first.event.slotEnd);
        }
      }),
      { numRuns },
    );
  });
});
