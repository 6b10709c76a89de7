// Pool ids appear in Kafka keys, URLs and reservation ids, so they are restricted to URL-safe characters
// without '.', which keeps the reservation id format (`r1.<poolId>.<digest>`) unambiguous to split.

export const MAX_POOL_ID_LENGTH = 64;

export const POOL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidPoolId(id: unknown): id is string {
  return typeof id === 'string' && POOL_ID_PATTERN.test(id);
}
