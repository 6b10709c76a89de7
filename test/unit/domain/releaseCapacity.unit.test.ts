import { reservationIdFor } from '../../../src/domain';
import { given, givenState } from './deciderSpecification';
import { envelope, POOL, poolClosed, poolDefined, release, released, reserve, reserved } from './fixtures';
import { onlyReadable } from './onlyReadable';

describe('ReleaseCapacity', () => {
  const id = reservationIdFor(POOL, 'order-1');

  it('releases the units of the reservation', () => {
    const accepted = given([poolDefined(10), reserved('order-1', 4)])
      .when(envelope(release(id)))
      .then([released('order-1', 4)]);
    expect(accepted.reservationId).toBe(id);
  });

  it('makes the units reservable again', () => {
    given([poolDefined(4), reserved('order-1', 4), released('order-1', 4)])
      .when(envelope(reserve(4), { requestId: 'order-2' }))
      .then([reserved('order-2', 4)]);
  });

  it('works on a closed pool', () => {
    given([poolDefined(10), reserved('order-1', 4), poolClosed()])
      .when(envelope(release(id)))
      .then([released('order-1', 4)]);
  });

  it('is idempotent: releasing again is accepted with no events and the same id', () => {
    const replay = given([poolDefined(10), reserved('order-1', 4), released('order-1', 4)])
      .when(envelope(release(id)))
      .thenNoEvents();
    expect(replay.reservationId).toBe(id);
  });

  it('rejects an unknown reservation (RESERVATION_NOT_FOUND)', () => {
    given([poolDefined(10), reserved('order-1', 4)])
      .when(envelope(release(reservationIdFor(POOL, 'order-2'))))
      .thenRejected('RESERVATION_NOT_FOUND', /does not exist/);
  });

  it('rejects a reservation in an unknown pool (RESERVATION_NOT_FOUND)', () => {
    given([])
      .when(envelope(release(id)))
      .thenRejected('RESERVATION_NOT_FOUND');
  });

  it('rejects a malformed reservation id (INVALID_COMMAND) with the reason', () => {
    given([poolDefined(10)])
      .when(envelope(release('r1.pool.not-hex')))
      .thenRejected('INVALID_COMMAND', /^command\.reservationId: digest part must be 32 lowercase hex/);
  });

  it('rejects expectedVersion on a release (INVALID_COMMAND)', () => {
    given([poolDefined(10), reserved('order-1', 4)])
      .when(envelope(release(id), { expectedVersion: 2 }))
      .thenRejected('INVALID_COMMAND', /expectedVersion: only admin commands/);
  });

  it('looks up only the reservation it names, never scans', () => {
    const state = given([poolDefined(10), reserved('other', 1), reserved('order-1', 4)]).state;
    givenState({ pool: state.pool, reservations: onlyReadable(state.reservations, id) })
      .when(envelope(release(id)))
      .then([released('order-1', 4)]);
  });
});
