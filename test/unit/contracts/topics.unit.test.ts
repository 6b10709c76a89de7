import { topicNames, topicSpecs } from '../../../src/contracts';

test('topic names carry the prefix', () => {
  expect(topicNames('capacity')).toMatchObject({
    commands: 'capacity.commands',
    poolState: 'capacity.pool-state',
    taskPositions: 'capacity.task-positions',
  });
});

test('changelogs are compacted, the journal keeps everything, all topics share the partition count', () => {
  const specs = new Map(topicSpecs('p', 7).map((s) => [s.name, s]));
  for (const name of ['p.pool-state', 'p.reservations', 'p.task-positions']) {
    expect(specs.get(name)?.cleanupPolicy).toBe('compact');
  }
  expect(specs.get('p.events')).toMatchObject({ cleanupPolicy: 'delete', configs: { 'retention.ms': '-1' } });
  expect(new Set([...specs.values()].map((s) => s.partitions))).toEqual(new Set([7]));
});
