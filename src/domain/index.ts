// The domain's public surface: the decider (decide/evolve, decideExpiry), reservation ids, and validation.
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
  ExpiredPool,
  LifecycleRules,
  Pool,
  PoolClosed,
  PoolDefined,
  PoolExpired,
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
export {
  decideExpiry,
  expiredPoolMarker,
  expiresAt,
  expiryCommandId,
  poolOfExpiredMarker,
} from './decideExpiry';
export { evolve } from './evolve';
export { foldEvents, stateAsOf } from './foldEvents';
export { initialState } from './initialState';
export { bookableUntilOf, DEFAULT_RULES, resolveBookableUntil } from './lifecycleRules';
export { isValidPoolId, MAX_POOL_ID_LENGTH, POOL_ID_PATTERN } from './poolId';
export type { ParsedReservationId } from './reservationId';
export {
  InvalidReservationIdError,
  parseReservationId,
  poolIdOf,
  RESERVATION_ID_PATTERN,
  reservationIdFor,
} from './reservationId';
export { targetPoolId } from './targetPoolId';
export { MAX_CAPACITY, MAX_ID_LENGTH, MAX_UNITS, MAX_ZONE_LENGTH, validateCommand } from './validateCommand';
