// Given / when / then for the decider, after Emmett's DeciderSpecification: given past events of one
// pool, when a command arrives, then these events (or this rejection, or nothing) come out.
import type {
  Accepted,
  CommandEnvelope,
  Event,
  EventEnvelope,
  LifecycleRules,
  PoolState,
  Rejected,
  RejectionCode,
} from '../../../src/domain';
import { decide, DEFAULT_RULES, foldEvents, targetPoolId } from '../../../src/domain';
import { NOW, POOL } from './fixtures';

export interface Then {
  /** Accepted with exactly these events, numbered after the given ones, stamped with the command. */
  then(expected: readonly Event[]): Accepted;
  /** Accepted with no events: idempotent repeat or no-op. */
  thenNoEvents(): Accepted;
  thenRejected(code: RejectionCode, message?: string | RegExp): Rejected;
}

export interface When {
  /** Decides at `now` (default NOW) under `rules` (default DEFAULT_RULES). */
  when(envelope: CommandEnvelope, now?: number, rules?: LifecycleRules): Then;
  /** The state the given events fold to, for tests that tamper with it. */
  readonly state: PoolState;
}

export function given(events: readonly Event[], poolId = POOL): When {
  const history: EventEnvelope[] = events.map((event, i) => ({
    poolId,
    version: i + 1,
    commandId: `history-${i + 1}`,
    occurredAt: NOW - 1000 * (events.length - i),
    event,
  }));
  return givenState(foldEvents(history));
}

export function givenState(state: PoolState): When {
  const version = state.pool?.version ?? 0;
  return {
    state,
    when(envelope, now = NOW, rules = DEFAULT_RULES) {
      const decision = decide(state, envelope, now, rules);
      return {
        then(expected) {
          expect(decision).toMatchObject({ status: 'accepted' });
          const accepted = decision as Accepted;
          expect(accepted.events.map((e) => e.event)).toEqual(expected);
          accepted.events.forEach((e, i) => {
            expect(e).toMatchObject({
              poolId: targetPoolId(envelope.command),
              version: version + i + 1,
              commandId: envelope.commandId,
              occurredAt: now,
            });
          });
          expect(accepted.poolVersion).toBe(version + expected.length);
          return accepted;
        },
        thenNoEvents() {
          expect(decision).toMatchObject({ status: 'accepted', events: [], poolVersion: version });
          return decision as Accepted;
        },
        thenRejected(code, message) {
          expect(decision).toMatchObject({ status: 'rejected', code, poolVersion: version });
          const rejected = decision as Rejected;
          if (message !== undefined) expect(rejected.message).toMatch(message);
          return rejected;
        },
      };
    },
  };
}
