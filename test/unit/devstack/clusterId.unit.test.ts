// The local stack's KRaft cluster id: a leading "-" made `kafka-storage format -t <id>` fail (1 in 64 runs).
import { newClusterId } from '../../../src/devstack';

test('cluster ids are 22 base64url characters and never start with "-"', () => {
  const ids = Array.from({ length: 5000 }, () => newClusterId());
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  expect(new Set(ids).size).toBe(ids.length);
});
