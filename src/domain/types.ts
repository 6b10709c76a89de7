// The capacity domain's vocabulary. Times are epoch milliseconds (UTC); the domain never reads a clock.

/**
 * A pool is open for reservations until it is closed; closing is final. Some time after its slot has ended
 * a pool expires (`PoolExpired`, see `decideExpiry`): every later command for it is `POOL_EXPIRED`.
 */
export type PoolStatus = 'open' | 'closed' | 'expired';

/** One delivery slot's capacity in one zone. `available` is derived, see `availableOf`. */
export interface Pool {
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: number;
  readonly slotEnd: number;
  /**
   * Reservations are taken before this time (epoch ms), `BOOKING_CLOSED` from it on. Resolved once, when
   * the pool is defined, and carried by `PoolDefined`; pools defined before it existed have `slotStart`.
   */
  readonly bookableUntil: number;
  readonly capacity: number;
  readonly reserved: number;
  readonly status: PoolStatus;
  /** Per-pool sequence: the version of the last event applied, 1 for a newly defined pool. */
  readonly version: number;
  readonly updatedAt: number;
}

export type ReservationStatus = 'reserved' | 'released';

export interface Reservation {
  readonly reservationId: string;
  readonly poolId: string;
  readonly units: number;
  readonly status: ReservationStatus;
  /** The idempotency key of the reserve command that created it. */
  readonly requestId: string;
  readonly createdAt: number;
  readonly releasedAt: number | null;
}

/**
 * What `decide` needs to know about one pool. `reservations` may hold only the reservation a command
 * names (the processor loads just that one): `decide` never scans it.
 */
export interface PoolState {
  readonly pool: Pool | null;
  readonly reservations: Readonly<Record<string, Reservation>>;
}

// ---- commands -------------------------------------------------------------------------------------

export interface DefinePool {
  readonly type: 'DefinePool';
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: number;
  readonly slotEnd: number;
  readonly capacity: number;
  /**
   * Absolute booking cut-off (epoch ms, at most `slotEnd`). Absent or null: `slotStart` minus the rules'
   * `bookingCutoffMs`, resolved while deciding and written into `PoolDefined`.
   */
  readonly bookableUntil?: number | null;
}

export interface ChangeCapacity {
  readonly type: 'ChangeCapacity';
  readonly poolId: string;
  readonly capacity: number;
}

export interface ReserveCapacity {
  readonly type: 'ReserveCapacity';
  readonly poolId: string;
  readonly units: number;
}

/** Carries only the reservation id: the pool id is encoded in it (see `poolIdOf`). */
export interface ReleaseCapacity {
  readonly type: 'ReleaseCapacity';
  readonly reservationId: string;
}

export interface ClosePool {
  readonly type: 'ClosePool';
  readonly poolId: string;
}

export type Command = DefinePool | ChangeCapacity | ReserveCapacity | ReleaseCapacity | ClosePool;
export type CommandType = Command['type'];

export interface CommandEnvelope {
  /** Unique per message; a result is published per command id. */
  readonly commandId: string;
  /** The caller's idempotency key: a retried request reuses it. */
  readonly requestId: string;
  readonly issuedAt: number;
  /** Admin commands only (DefinePool, ChangeCapacity, ClosePool): optimistic concurrency. */
  readonly expectedVersion: number | null;
  /**
   * Who issued it: the gateway's authenticated caller (an API key's or a token's name), for audit.
   * Absent on commands from before access control and from clients that do not say.
   */
  readonly issuedBy?: string | null;
  readonly command: Command;
}

// ---- events ---------------------------------------------------------------------------------------

export interface PoolDefined {
  readonly type: 'PoolDefined';
  readonly zone: string;
  readonly slotStart: number;
  readonly slotEnd: number;
  readonly capacity: number;
  /** The resolved booking cut-off. Null in events from before it existed: the pool's is then `slotStart`. */
  readonly bookableUntil: number | null;
}

export interface CapacityChanged {
  readonly type: 'CapacityChanged';
  readonly capacity: number;
  readonly previousCapacity: number;
}

export interface CapacityReserved {
  readonly type: 'CapacityReserved';
  readonly reservationId: string;
  readonly units: number;
  readonly requestId: string;
}

export interface CapacityReleased {
  readonly type: 'CapacityReleased';
  readonly reservationId: string;
  readonly units: number;
}

export interface PoolClosed {
  readonly type: 'PoolClosed';
}

/** The pool's slot is long over: it is history now (its time is the envelope's `occurredAt`). */
export interface PoolExpired {
  readonly type: 'PoolExpired';
}

export type Event =
  PoolDefined | CapacityChanged | CapacityReserved | CapacityReleased | PoolClosed | PoolExpired;
export type EventType = Event['type'];

export interface EventEnvelope {
  readonly poolId: string;
  /** The pool's version after this event: contiguous from 1 per pool. */
  readonly version: number;
  readonly commandId: string;
  readonly occurredAt: number;
  readonly event: Event;
}

/**
 * What is left of an expired pool once its state and reservations are deleted: enough to answer every
 * later command for it `POOL_EXPIRED` (see `expiredPoolMarker` and `poolOfExpiredMarker`).
 */
export interface ExpiredPool {
  readonly poolId: string;
  readonly zone: string;
  readonly slotStart: number;
  readonly slotEnd: number;
  /** The version of its `PoolExpired` event, the pool's last. */
  readonly version: number;
  readonly expiredAt: number;
}

// ---- lifecycle rules ------------------------------------------------------------------------------

/**
 * The configured lifecycle durations, passed to the decider with `now`. Only new decisions use them:
 * `bookableUntil` is resolved into `PoolDefined`, so replaying events never depends on them.
 */
export interface LifecycleRules {
  /** Default booking cut-off: a pool without an explicit `bookableUntil` is bookable until slotStart - this. */
  readonly bookingCutoffMs: number;
  /** A pool expires this long after its slot ends. */
  readonly expireAfterMs: number;
}

// ---- outcomes -------------------------------------------------------------------------------------

/** Stable reason codes: part of the public contract (HTTP, command results, warehouse). */
export const RejectionCodes = [
  'INVALID_COMMAND',
  'POOL_NOT_FOUND',
  'POOL_ALREADY_DEFINED',
  'POOL_CLOSED',
  'INSUFFICIENT_CAPACITY',
  'RESERVATION_NOT_FOUND',
  'VERSION_CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'BOOKING_CLOSED',
  'SLOT_ENDED',
  'POOL_EXPIRED',
] as const;
export type RejectionCode = (typeof RejectionCodes)[number];

export interface Accepted {
  readonly status: 'accepted';
  /** New events; empty when the command was an idempotent repeat or a no-op. */
  readonly events: readonly EventEnvelope[];
  /** The pool's version after the command. */
  readonly poolVersion: number;
  /** Set for ReserveCapacity and ReleaseCapacity. */
  readonly reservationId: string | null;
}

export interface Rejected {
  readonly status: 'rejected';
  readonly code: RejectionCode;
  /** Human-readable, names what was wrong. */
  readonly message: string;
  /** The pool's version when rejected, 0 if the pool does not exist. */
  readonly poolVersion: number;
}

export type Decision = Accepted | Rejected;
