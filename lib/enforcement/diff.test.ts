import { describe, expect, it } from 'vitest';
import { diffCounts, type DiffLine } from './diff';

const same = (n: number, from = 0): DiffLine[] => Array.from({ length: n }, (_, i) => ({ kind: 'same', text: `line ${from + i}` }));

describe('diffCounts', () => {
  it('counts added and removed lines', () => {
    expect(diffCounts([...same(2), { kind: 'add', text: 'x' }, { kind: 'remove', text: 'y' }, { kind: 'add', text: 'z' }])).toEqual({ added: 2, removed: 1 });
  });
});
