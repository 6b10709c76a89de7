// Records that exist only on the wire (the domain has no use for them).
import type { ReservationStatus } from '../domain';

/** The outcome of one command, published to the command-results topic keyed by command id. */
export interface CommandResult {
  readonly commandId: string;
  /** Null when the command could not be decoded far enough to read it. */
  readonly requestId: string | null;
  readonly poolId: string | null;
  readonly status: 'accepted' | 'rejected';
  /** A domain RejectionCode, or a processing code such as UNDECODABLE or MISROUTED. */
  readonly reasonCode: string | null;
  readonly message: string | null;
  readonly reservationId: string | null;
  readonly poolVersion: number;
  readonly processedAt: number;
  /** Events the command produced: 0 for rejections and idempotent repeats (a PUT that changed nothing). */
  readonly events: number;
  /**
   * Accepted reserve and release: the units the reservation holds (or held). On a replayed reserve these
   * are the original reservation's, not the request's. Null otherwise, and in results from before v3.
   */
  readonly units: number | null;
  /** Accepted reserve and release: the reservation's status after the command; null otherwise. */
  readonly reservationStatus: ReservationStatus | null;
}

/** Processor task metadata: the next input offset, written in every transaction of the task. */
export interface TaskPosition {
  readonly partition: number;
  readonly nextOffset: number;
  readonly updatedAt: number;
}

/** Header producers set to the command id, so that even an undecodable command gets a result. */
export const COMMAND_ID_HEADER = 'capacity-command-id';
