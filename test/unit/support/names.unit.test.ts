// Test teardown deletes only topics whose names came from uniqueName during the run; this pins what
// counts as such a name.
import { uniqueName, uniqueNameCreatedAt } from '../../support/names';

test('a unique name (and topics derived from it) tells when it was made', () => {
  const before = Date.now();
  const name = uniqueName('svc');
  expect(uniqueNameCreatedAt(name)).toBeGreaterThanOrEqual(before);
  expect(uniqueNameCreatedAt(`${name}.command-results`)).toBe(uniqueNameCreatedAt(name));
  expect(uniqueNameCreatedAt(`${uniqueName('zombie-audit')}-restore-abc`)).toBeGreaterThanOrEqual(before);
});

test.each([
  'capacity.commands',
  'my-topic',
  'orders-2024-01-01',
  'svc-abc-123',
  '__consumer_offsets',
  'svc-mws5rc59-F287071C',
])('%s is not a test name', (name) => {
  expect(uniqueNameCreatedAt(name)).toBeNull();
});
