import { availableOf } from '../../../src/domain';
import { given } from './deciderSpecification';
import {
  capacityChanged,
  changeCapacity,
  envelope,
  poolClosed,
  poolDefined,
  released,
  reserve,
  reserved,
} from './fixtures';

describe('ChangeCapacity', () => {
  it('changes capacity and records the previous value', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(15)))
      .then([capacityChanged(15, 10)]);
  });

  it('rejects an unknown pool (POOL_NOT_FOUND)', () => {
    given([])
      .when(envelope(changeCapacity(15)))
      .thenRejected('POOL_NOT_FOUND', /is not defined/);
  });

  it('is a no-op when the capacity is already the requested one, before any version check', () => {
    given([poolDefined(10), capacityChanged(15, 10)])
      .when(envelope(changeCapacity(15), { expectedVersion: 1 }))
      .thenNoEvents();
  });

  it('is a no-op on a closed pool when nothing would change', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(changeCapacity(10)))
      .thenNoEvents();
  });

  it('rejects a change on a closed pool (POOL_CLOSED)', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(changeCapacity(12)))
      .thenRejected('POOL_CLOSED', /is closed/);
  });

  it('accepts a matching expectedVersion', () => {
    given([poolDefined(10), reserved('a', 1)])
      .when(envelope(changeCapacity(12), { expectedVersion: 2 }))
      .then([capacityChanged(12, 10)]);
  });

  it('rejects a stale expectedVersion (VERSION_CONFLICT)', () => {
    given([poolDefined(10), reserved('a', 1)])
      .when(envelope(changeCapacity(12), { expectedVersion: 1 }))
      .thenRejected('VERSION_CONFLICT');
  });

  it('allows lowering capacity to 0', () => {
    given([poolDefined(10)])
      .when(envelope(changeCapacity(0)))
      .then([capacityChanged(0, 10)]);
  });

  describe('lowering capacity below what is reserved (oversubscription)', () => {
    const history = [poolDefined(10), reserved('a', 6), reserved('b', 3)];

    it('is allowed', () => {
      given(history)
        .when(envelope(changeCapacity(5)))
        .then([capacityChanged(5, 10)]);
    });

    it('leaves the pool with 0 available and refuses new reservations', () => {
      const spec = given([...history, capacityChanged(5, 10)]);
      expect(spec.state.pool).toMatchObject({ capacity: 5, reserved: 9 });
      expect(availableOf(spec.state.pool!)).toBe(0);
      spec.when(envelope(reserve(1))).thenRejected('INSUFFICIENT_CAPACITY', /0 units available, 1 requested/);
    });

    it('still refuses once releases bring reserved down to capacity exactly', () => {
      given([...history, capacityChanged(5, 10), released('a', 6), reserved('c', 2)])
        .when(envelope(reserve(1)))
        .thenRejected('INSUFFICIENT_CAPACITY');
    });

    it('takes reservations again once releases bring it back under capacity', () => {
      const lowered = [...history, capacityChanged(5, 10)];
      given([...lowered, released('b', 3)])
        .when(envelope(reserve(1)))
        .thenRejected('INSUFFICIENT_CAPACITY', /0 units available/);
      given([...lowered, released('b', 3), released('a', 6)])
        .when(envelope(reserve(5), { requestId: 'd' }))
        .then([reserved('d', 5)]);
    });
  });
});
