// The domain's public surface: the decider (decide/evolve), reservation ids, and validation.
export type {
  Accepted,
  CapacityChanged,
  CapacityReleased,
  CapacityReserved,
  ChangeCapacity,
  ClosePool,
  Command,
  CommandEnvelope,
  CommandType,
  Decision,
  DefinePool,
  Event,
  EventEnvelope,
  EventType,
  Pool,
  PoolClosed,
  PoolDefined,
  PoolState,
  PoolStatus,
  Rejected,
  RejectionCode,
  ReleaseCapacity,
  Reservation,
  ReservationStatus,
  ReserveCapacity,
} from './types';
export { RejectionCodes } from './types';
export { availableOf } from './availableOf';
export { decide } from './decide';
export { evolve } from './evolve';
export { foldEvents, stateAsOf } from './foldEvents';
export { initialState } from './initialState';
export { isValidPoolId, MAX_POOL_ID_LENGTH, POOL_ID_PATTERN } from './poolId';
export type { ParsedReservationId } from './reservationId';
export { InvalidReservationIdError, parseReservationId, poolIdOf, reservationIdFor } from './reservationId';
export { targetPoolId } from './targetPoolId';
export { MAX_CAPACITY, MAX_ID_LENGTH, MAX_UNITS, MAX_ZONE_LENGTH, validateCommand } from './validateCommand';
