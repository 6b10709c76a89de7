import { changelogTopics, durabilityConfigs, topicNames, topicSpecs } from '../../../src/contracts';

test('topic names carry the prefix', () => {
  expect(topicNames('capacity')).toEqual({
    commands: 'capacity.commands',
    events: 'capacity.events',
    poolState: 'capacity.pool-state',
    reservations: 'capacity.reservations',
    expiredPools: 'capacity.expired-pools',
    taskPositions: 'capacity.task-positions',
    commandResults: 'capacity.command-results',
    deadLetters: 'capacity.dead-letters',
  });
});

test('every named topic has a spec, and every spec a name', () => {
  const names = Object.values(topicNames('p')).sort();
  expect(
    topicSpecs('p', 3)
      .map((s) => s.name)
      .sort(),
  ).toEqual(names);
});

test('changelogTopics: the state a task restores and standbys follow, in that order', () => {
  expect(changelogTopics(topicNames('p'))).toEqual(['p.pool-state', 'p.reservations', 'p.expired-pools']);
});

test('changelogs are compacted, the journal keeps everything, all topics share the partition count', () => {
  const specs = new Map(topicSpecs('p', 7).map((s) => [s.name, s]));
  for (const name of ['p.pool-state', 'p.reservations', 'p.expired-pools', 'p.task-positions']) {
    expect(specs.get(name)?.cleanupPolicy).toBe('compact');
  }
  // The expiry markers are a changelog like the others (ADR 12): same configs as pool-state.
  expect(specs.get('p.expired-pools')).toMatchObject({
    configs: specs.get('p.pool-state')?.configs,
    purpose: 'expired pool markers, key = pool id',
  });
  expect(specs.get('p.events')).toMatchObject({ cleanupPolicy: 'delete', configs: { 'retention.ms': '-1' } });
  expect(new Set([...specs.values()].map((s) => s.partitions))).toEqual(new Set([7]));
});

describe('min.insync.replicas follows the replication factor', () => {
  test.each([
    [3, '2'],
    [4, '2'],
    [5, '2'],
  ])('RF %i: every topic gets min.insync.replicas=%s, so acks=all needs a follower too', (rf, expected) => {
    const specs = topicSpecs('p', 3, rf);
    expect(specs).toHaveLength(8);
    for (const spec of specs) expect(spec.configs['min.insync.replicas']).toBe(expected);
    expect(durabilityConfigs(rf)).toEqual({ 'min.insync.replicas': expected });
  });

  test.each([1, 2])(
    'RF %i: left to the broker (2 in sync of 2 would stop writes at any broker restart)',
    (rf) => {
      for (const spec of topicSpecs('p', 3, rf))
        expect(spec.configs).not.toHaveProperty('min.insync.replicas');
      expect(durabilityConfigs(rf)).toEqual({});
    },
  );

  test('the other configs of a topic are kept', () => {
    const events = topicSpecs('p', 3, 3).find((s) => s.name === 'p.events');
    expect(events?.configs).toEqual({ 'retention.ms': '-1', 'min.insync.replicas': '2' });
  });
});
