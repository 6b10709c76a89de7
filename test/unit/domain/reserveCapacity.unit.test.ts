import { reservationIdFor } from '../../../src/domain';
import { given, givenState } from './deciderSpecification';
import {
  capacityChanged,
  envelope,
  POOL,
  poolClosed,
  poolDefined,
  released,
  reserve,
  reserved,
} from './fixtures';
import { onlyReadable } from './onlyReadable';

describe('ReserveCapacity', () => {
  it('reserves units under a reservation id derived from pool and requestId', () => {
    const accepted = given([poolDefined(10)])
      .when(envelope(reserve(3), { requestId: 'order-42' }))
      .then([reserved('order-42', 3)]);
    expect(accepted.reservationId).toBe(reservationIdFor(POOL, 'order-42'));
  });

  it('may take the last unit exactly', () => {
    given([poolDefined(10), reserved('a', 7)])
      .when(envelope(reserve(3), { requestId: 'b' }))
      .then([reserved('b', 3)]);
  });

  it('rejects more than is available (INSUFFICIENT_CAPACITY) with the numbers', () => {
    given([poolDefined(10), reserved('a', 7)])
      .when(envelope(reserve(4)))
      .thenRejected('INSUFFICIENT_CAPACITY', /3 units available, 4 requested \(capacity 10, reserved 7\)/);
  });

  it('rejects any reservation on a zero-capacity pool', () => {
    given([poolDefined(0)])
      .when(envelope(reserve(1)))
      .thenRejected('INSUFFICIENT_CAPACITY', /0 units available/);
  });

  it('rejects an unknown pool (POOL_NOT_FOUND)', () => {
    given([])
      .when(envelope(reserve(1)))
      .thenRejected('POOL_NOT_FOUND', new RegExp(`pool ${POOL} is not defined`));
  });

  it('rejects a closed pool (POOL_CLOSED)', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(reserve(1)))
      .thenRejected('POOL_CLOSED');
  });

  it('rejects units out of range (INVALID_COMMAND)', () => {
    given([poolDefined(10)])
      .when(envelope(reserve(0)))
      .thenRejected('INVALID_COMMAND', /command\.units: must be an integer >= 1 .*\(got 0\)/);
  });

  it('rejects expectedVersion on a reservation (INVALID_COMMAND)', () => {
    given([poolDefined(10)])
      .when(envelope(reserve(1), { expectedVersion: 1 }))
      .thenRejected('INVALID_COMMAND', /^expectedVersion: only admin commands/);
  });

  describe('idempotent replay (same requestId)', () => {
    it('returns the original reservation without new events', () => {
      const replay = given([poolDefined(10), reserved('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-1' }))
        .thenNoEvents();
      expect(replay.reservationId).toBe(reservationIdFor(POOL, 'order-1'));
    });

    it('still succeeds after the pool filled up', () => {
      given([poolDefined(2), reserved('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-1' }))
        .thenNoEvents();
    });

    it('still succeeds after the pool closed', () => {
      given([poolDefined(10), reserved('order-1', 2), poolClosed()])
        .when(envelope(reserve(2), { requestId: 'order-1' }))
        .thenNoEvents();
    });

    it('does not re-reserve a released reservation', () => {
      const replay = given([poolDefined(10), reserved('order-1', 2), released('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-1' }))
        .thenNoEvents();
      expect(replay.reservationId).toBe(reservationIdFor(POOL, 'order-1'));
    });

    it('still succeeds after capacity was lowered below reserved', () => {
      given([poolDefined(10), reserved('order-1', 8), capacityChanged(1, 10)])
        .when(envelope(reserve(8), { requestId: 'order-1' }))
        .thenNoEvents();
    });

    it('rejects the same key with other units (IDEMPOTENCY_KEY_REUSED), naming both', () => {
      given([poolDefined(10), reserved('order-1', 2)])
        .when(envelope(reserve(5), { requestId: 'order-1' }))
        .thenRejected(
          'IDEMPOTENCY_KEY_REUSED',
          /idempotency key order-1 .*reservation r1\.\S+ of 2 units; this request asks for 5/,
        );
    });

    it('rejects other units after the reservation was released too', () => {
      given([poolDefined(10), reserved('order-1', 2), released('order-1', 2)])
        .when(envelope(reserve(1), { requestId: 'order-1' }))
        .thenRejected('IDEMPOTENCY_KEY_REUSED', /of 2 units; this request asks for 1/);
    });

    it('checks the key before the pool being closed or full', () => {
      given([poolDefined(2), reserved('order-1', 2), poolClosed()])
        .when(envelope(reserve(3), { requestId: 'order-1' }))
        .thenRejected('IDEMPOTENCY_KEY_REUSED');
    });

    it('is keyed by requestId, not commandId: a new requestId is a new reservation', () => {
      given([poolDefined(10), reserved('order-1', 2)])
        .when(envelope(reserve(2), { requestId: 'order-2' }))
        .then([reserved('order-2', 2)]);
    });
  });

  it('looks up only the reservation it names, never scans', () => {
    const state = given([poolDefined(10), reserved('other', 1)]).state;
    const named = reservationIdFor(POOL, 'order-9');
    givenState({ pool: state.pool, reservations: onlyReadable(state.reservations, named) })
      .when(envelope(reserve(1), { requestId: 'order-9' }))
      .then([reserved('order-9', 1)]);
  });
});
