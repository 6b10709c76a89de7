import { closePool, envelope, poolClosed, poolDefined, reserved } from './fixtures';
import { given } from './deciderSpecification';

describe('ClosePool', () => {
  it('closes an open pool', () => {
    given([poolDefined(10)])
      .when(envelope(closePool()))
      .then([poolClosed()]);
  });

  it('closes a pool with reservations; they stay reserved', () => {
    const spec = given([poolDefined(10), reserved('a', 3)]);
    spec.when(envelope(closePool())).then([poolClosed()]);
    expect(given([poolDefined(10), reserved('a', 3), poolClosed()]).state.pool).toMatchObject({
      status: 'closed',
      reserved: 3,
    });
  });

  it('rejects an unknown pool (POOL_NOT_FOUND)', () => {
    given([]).when(envelope(closePool())).thenRejected('POOL_NOT_FOUND');
  });

  it('is a no-op when already closed, whatever the expectedVersion', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(closePool(), { expectedVersion: 1 }))
      .thenNoEvents();
  });

  it('accepts a matching expectedVersion', () => {
    given([poolDefined(10), reserved('a', 3)])
      .when(envelope(closePool(), { expectedVersion: 2 }))
      .then([poolClosed()]);
  });

  it('rejects a stale expectedVersion (VERSION_CONFLICT)', () => {
    given([poolDefined(10), reserved('a', 3)])
      .when(envelope(closePool(), { expectedVersion: 1 }))
      .thenRejected('VERSION_CONFLICT', /version 2.*expected version 1/);
  });
});
