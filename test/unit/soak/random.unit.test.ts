import { Random } from '../../../bench/soak/random';

test('the same seed draws the same sequence; another seed another one', () => {
  const draw = (seed: number) => {
    const r = new Random(seed);
    return [r.next(), r.between(1, 6), r.pick(['a', 'b', 'c']), r.shuffle([1, 2, 3, 4, 5])];
  };
  expect(draw(42)).toEqual(draw(42));
  expect(draw(42)).not.toEqual(draw(43));
  const r = new Random(7);
  const values = Array.from({ length: 1000 }, () => r.next());
  expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...values)).toBeLessThan(1);
  expect(new Random(1).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
});
