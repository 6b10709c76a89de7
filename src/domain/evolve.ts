// Applies one event to a pool's state. Events are facts already decided, so evolve does not re-check
// business rules; it only refuses events that cannot apply at all (a pool event before the pool exists).
import { bookableUntilOf } from './lifecycleRules';
import type { EventEnvelope, Pool, PoolState } from './types';

export function evolve(state: PoolState, envelope: EventEnvelope): PoolState {
  const { event, version, occurredAt } = envelope;
  switch (event.type) {
    case 'PoolDefined': {
      const pool: Pool = {
        poolId: envelope.poolId,
        zone: event.zone,
        slotStart: event.slotStart,
        slotEnd: event.slotEnd,
        bookableUntil: bookableUntilOf(event),
        capacity: event.capacity,
        reserved: 0,
        status: 'open',
        version,
        updatedAt: occurredAt,
      };
      return { pool, reservations: state.reservations };
    }
    case 'CapacityChanged':
      return withPool(state, envelope, { capacity: event.capacity });
    case 'CapacityReserved': {
      const pool = withPool(state, envelope, {
        reserved: existingPool(state, envelope).reserved + event.units,
      });
      const reservation = {
        reservationId: event.reservationId,
        poolId: envelope.poolId,
        units: event.units,
        status: 'reserved' as const,
        requestId: event.requestId,
        createdAt: occurredAt,
        releasedAt: null,
      };
      return { pool: pool.pool, reservations: { ...state.reservations, [event.reservationId]: reservation } };
    }
    case 'CapacityReleased': {
      const pool = withPool(state, envelope, {
        reserved: existingPool(state, envelope).reserved - event.units,
      });
      const reservation = state.reservations[event.reservationId];
      // A partial state (a projection, or a processor that loaded other reservations) may not hold it;
      // the pool totals are still right because the event carries the units.
      if (reservation === undefined) return pool;
      const released = { ...reservation, status: 'released' as const, releasedAt: occurredAt };
      return { pool: pool.pool, reservations: { ...state.reservations, [event.reservationId]: released } };
    }
    case 'PoolClosed':
      return withPool(state, envelope, { status: 'closed' });
    case 'PoolExpired':
      // The reservations stay in a folded state; the processor deletes them from its store, and the
      // decider answers POOL_EXPIRED before it would look at one.
      return withPool(state, envelope, { status: 'expired' });
    default:
      return assertNever(event);
  }
}

function existingPool(state: PoolState, envelope: EventEnvelope): Pool {
  if (state.pool === null) {
    throw new Error(
      `evolve: ${envelope.event.type} (version ${envelope.version}) for pool ${envelope.poolId} before PoolDefined`,
    );
  }
  return state.pool;
}

/** Every event stamps the pool with its version and time, whatever else it changes. */
function withPool(state: PoolState, envelope: EventEnvelope, changes: Partial<Pool>): PoolState {
  const pool: Pool = {
    ...existingPool(state, envelope),
    ...changes,
    version: envelope.version,
    updatedAt: envelope.occurredAt,
  };
  return { pool, reservations: state.reservations };
}

function assertNever(value: never): never {
  throw new Error(`evolve: unhandled event ${JSON.stringify(value)}`);
}
