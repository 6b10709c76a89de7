import { RecentCommands } from '../../../src/processor';

test('remembers committed command ids up to its capacity, forgetting the oldest first', () => {
  const recent = new RecentCommands(3);
  recent.add(['a', 'b']);
  recent.add(['b', 'c']);
  expect(['a', 'b', 'c'].map((id) => recent.has(id))).toEqual([true, true, true]);
  recent.add(['d']);
  expect(recent.has('a')).toBe(false);
  expect(['b', 'c', 'd'].map((id) => recent.has(id))).toEqual([true, true, true]);
  for (let i = 0; i < 20; i++) recent.add([`x${i}`]);
  expect(recent.size).toBe(3);
  expect(['x17', 'x18', 'x19'].every((id) => recent.has(id))).toBe(true);
  expect(recent.has('d')).toBe(false);
});
