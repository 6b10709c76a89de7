// Test teardown deletes only topics whose names this run made with uniqueName; this pins what counts as
// such a name and that it carries the run's id.
import { parseUniqueName, testRunId, uniqueName } from '../../support/names';

test('a unique name (and topics derived from it) tells its run and when it was made', () => {
  const before = Date.now();
  const name = uniqueName('svc');
  expect(parseUniqueName(name)).toEqual({ runId: testRunId(), createdAt: expect.any(Number) });
  expect(parseUniqueName(name)?.createdAt).toBeGreaterThanOrEqual(before);
  expect(parseUniqueName(`${name}.command-results`)).toEqual(parseUniqueName(name));
  expect(parseUniqueName(`${uniqueName('zombie-audit')}-restore-abc`)?.runId).toBe(testRunId());
});

test.each([
  'capacity.commands',
  'my-topic',
  'orders-2024-01-01',
  'svc-abc-123',
  '__consumer_offsets',
  'svc-mws5rc59-F287071C',
])('%s is not a test name', (name) => {
  expect(parseUniqueName(name)).toBeNull();
});
