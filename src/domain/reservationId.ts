// Reservation ids are self-routing: a release carries only the id, and the pool (hence the Kafka
// partition and the state shard) is read back out of it, with no lookup table. They are deterministic
// (derived from the caller's idempotency key) so a retried reserve lands on the same reservation.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { describeValue } from './describeValue';
import { isValidPoolId, MAX_POOL_ID_LENGTH } from './poolId';

/** Bump when the format changes; parsers reject versions they do not know. */
const VERSION = 'r1';
const DIGEST_BYTES = 16;
const DIGEST_PATTERN = /^[0-9a-f]{32}$/;

export type ParsedReservationId =
  | { readonly ok: true; readonly poolId: string; readonly digest: string }
  | { readonly ok: false; readonly reason: string };

export class InvalidReservationIdError extends Error {
  readonly code = 'INVALID_RESERVATION_ID';
  override readonly name = 'InvalidReservationIdError';

  constructor(
    readonly reservationId: string,
    readonly reason: string,
  ) {
    super(`invalid reservation id ${describeValue(reservationId)}: ${reason}`);
  }
}

/** What parseReservationId accepts, as one pattern (for /openapi.json). */
export const RESERVATION_ID_PATTERN = /^r1\.[A-Za-z0-9_-]{1,64}\.[0-9a-f]{32}$/;

/** `r1.<poolId>.<first 16 bytes of sha256(poolId NUL requestId) as lowercase hex>`. */
export function reservationIdFor(poolId: string, requestId: string): string {
  // An id built from a bad pool id would not parse back, so refuse to build it at all.
  if (!isValidPoolId(poolId)) {
    throw new RangeError(`cannot derive a reservation id: invalid pool id ${describeValue(poolId)}`);
  }
  // NUL cannot occur in a pool id, so (poolId, requestId) pairs never collide by concatenation.
  const hash = sha256(utf8ToBytes(`${poolId}\u0000${requestId}`));
  return `${VERSION}.${poolId}.${bytesToHex(hash.subarray(0, DIGEST_BYTES))}`;
}

export function parseReservationId(id: unknown): ParsedReservationId {
  if (typeof id !== 'string') return fail(`must be a string (got ${describeValue(id)})`);
  if (id.length === 0) return fail('must not be empty');
  const parts = id.split('.');
  const version = parts[0] ?? '';
  if (version !== VERSION) {
    return /^r\d+$/.test(version)
      ? fail(`unknown format version "${version}" (only "${VERSION}" is supported)`)
      : fail(`must start with the version prefix "${VERSION}."`);
  }
  if (parts.length !== 3) {
    return fail(`must have 3 dot-separated parts "${VERSION}.<poolId>.<digest>" (got ${parts.length})`);
  }
  const [, poolId = '', digest = ''] = parts;
  if (!isValidPoolId(poolId)) {
    return fail(
      `pool id part ${describeValue(poolId)} must be 1-${MAX_POOL_ID_LENGTH} characters of A-Z a-z 0-9 _ -`,
    );
  }
  if (!DIGEST_PATTERN.test(digest)) {
    return fail(`digest part must be 32 lowercase hex characters (got ${describeValue(digest)})`);
  }
  return { ok: true, poolId, digest };
}

/** The pool a reservation belongs to; throws `InvalidReservationIdError` if the id is malformed. */
export function poolIdOf(reservationId: string): string {
  const parsed = parseReservationId(reservationId);
  if (!parsed.ok) throw new InvalidReservationIdError(reservationId, parsed.reason);
  return parsed.poolId;
}

function fail(reason: string): ParsedReservationId {
  return { ok: false, reason };
}
