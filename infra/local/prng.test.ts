import { describe, expect, it } from 'vitest';
import { createRng } from './prng';

const draw = (seed: string, n = 20) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('yields the same sequence for the same seed and a different one for another seed', () => {
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('stays in range', () => {
    const rng = createRng('range');
    for (let i = 0; i < 2_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = rng.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
    }
  });

  it('forks independent, reproducible streams that do not disturb the parent', () => {
    const a = createRng('root');
    const b = createRng('root');
    a.fork('x').next();
    expect(a.next()).toBe(b.next());
    expect(createRng('root').fork('x').next()).toBe(createRng('root').fork('x').next());
    expect(createRng('root').fork('x').next()).not.toBe(createRng('root').fork('y').next());
  });

  it('picks by weight roughly in proportion', () => {
    const rng = createRng('weights');
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++) counts[rng.weighted({ a: 60, b: 30, c: 10 })] += 1;
    expect(counts.a / 20_000).toBeCloseTo(0.6, 1);
    expect(counts.b / 20_000).toBeCloseTo(0.3, 1);
    expect(counts.c / 20_000).toBeCloseTo(0.1, 1);
  });

  it('shuffles into a permutation without changing the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = createRng('shuffle').shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
  });
});
