import { poolIdOf } from './reservationId';
import type { Command } from './types';

/**
 * The pool a command acts on: the partitioning key. Releases carry only a reservation id, which
 * encodes its pool; a malformed one throws `InvalidReservationIdError`.
 */
export function targetPoolId(command: Command): string {
  return command.type === 'ReleaseCapacity' ? poolIdOf(command.reservationId) : command.poolId;
}
