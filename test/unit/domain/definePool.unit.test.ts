import { decide } from '../../../src/domain';
import {
  capacityChanged,
  definePool,
  envelope,
  POOL,
  poolClosed,
  poolDefined,
  reserved,
  SLOT_END,
} from './fixtures';
import { given } from './deciderSpecification';

describe('DefinePool', () => {
  it('defines a new pool at version 1', () => {
    given([])
      .when(envelope(definePool()))
      .then([poolDefined(10)]);
  });

  it('accepts expectedVersion 0 for a new pool', () => {
    given([])
      .when(envelope(definePool(), { expectedVersion: 0 }))
      .then([poolDefined(10)]);
  });

  it('rejects a new pool with expectedVersion other than 0 (VERSION_CONFLICT)', () => {
    given([])
      .when(envelope(definePool(), { expectedVersion: 3 }))
      .thenRejected('VERSION_CONFLICT', /version 0.*expected version 3/);
  });

  it('is idempotent when the pool exists with identical attributes', () => {
    given([poolDefined(10), reserved('a', 2)])
      .when(envelope(definePool()))
      .thenNoEvents();
  });

  it('is idempotent on identical attributes even with a stale expectedVersion, and even when closed', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(definePool(), { expectedVersion: 0 }))
      .thenNoEvents();
  });

  it('rejects a different zone or slot (POOL_ALREADY_DEFINED) and names the attributes', () => {
    const rejected = given([poolDefined(10)])
      .when(envelope(definePool({ zone: 'south-2', slotEnd: SLOT_END + 1 })))
      .thenRejected('POOL_ALREADY_DEFINED');
    expect(rejected.message).toContain(POOL);
    expect(rejected.message).toContain('zone (defined "north-1", requested "south-2")');
    expect(rejected.message).toContain('slotEnd');
    expect(rejected.message).not.toContain('slotStart');
  });

  it('rejects a different slot even if only the capacity also changed', () => {
    given([poolDefined(10)])
      .when(envelope(definePool({ slotStart: 0, capacity: 20 })))
      .thenRejected('POOL_ALREADY_DEFINED', /slotStart/);
  });

  it('upserts capacity when only capacity differs', () => {
    given([poolDefined(10)])
      .when(envelope(definePool({ capacity: 25 })))
      .then([capacityChanged(25, 10)]);
  });

  it('upserts capacity when expectedVersion matches', () => {
    given([poolDefined(10), reserved('a', 1)])
      .when(envelope(definePool({ capacity: 5 }), { expectedVersion: 2 }))
      .then([capacityChanged(5, 10)]);
  });

  it('rejects a capacity upsert with a stale expectedVersion (VERSION_CONFLICT)', () => {
    given([poolDefined(10), reserved('a', 1)])
      .when(envelope(definePool({ capacity: 5 }), { expectedVersion: 1 }))
      .thenRejected('VERSION_CONFLICT', /version 2.*expected version 1/);
  });

  it('rejects a capacity upsert on a closed pool (POOL_CLOSED)', () => {
    given([poolDefined(10), poolClosed()])
      .when(envelope(definePool({ capacity: 5 })))
      .thenRejected('POOL_CLOSED');
  });

  it('rejects an invalid definition (INVALID_COMMAND) with every problem', () => {
    given([])
      .when(envelope(definePool({ poolId: 'bad.id', capacity: -1 })))
      .thenRejected('INVALID_COMMAND', /^command\.poolId: .*; command\.capacity: /);
  });

  it('throws (a caller bug, not a rejection) when given the state of another pool', () => {
    const otherPool = given([poolDefined(10)], 'other-pool').state;
    expect(() => decide(otherPool, envelope(definePool()), 0)).toThrow(
      /targets pool .* state of pool other-pool/,
    );
  });
});
