import { describe, expect, it } from 'vitest';
import type { DiffLine } from '@/lib/enforcement/diff';
import { hunks } from './diff-hunks';

const same = (n: number, from = 0): DiffLine[] => Array.from({ length: n }, (_, i) => ({ kind: 'same', text: `line ${from + i}` }));

describe('hunks', () => {
  it('keeps the changed lines with three lines of context and folds the rest, saying how many', () => {
    const lines: DiffLine[] = [...same(10), { kind: 'remove', text: 'old' }, { kind: 'add', text: 'new' }, ...same(10, 10)];
    const rows = hunks(lines);
    expect(rows).toEqual([
      { kind: 'skip', count: 7 },
      ...same(3, 7),
      { kind: 'remove', text: 'old' },
      { kind: 'add', text: 'new' },
      ...same(3, 10),
      { kind: 'skip', count: 7 },
    ]);
  });

  it('joins changes whose context touches, and folds between those that are far apart', () => {
    const lines: DiffLine[] = [{ kind: 'add', text: 'a' }, ...same(4), { kind: 'add', text: 'b' }, ...same(20, 4), { kind: 'remove', text: 'c' }];
    const rows = hunks(lines);
    expect(rows.filter((r) => r.kind === 'skip')).toEqual([{ kind: 'skip', count: 14 }]);
    expect(rows.filter((r) => r.kind !== 'same' && r.kind !== 'skip').map((r) => (r as DiffLine).text)).toEqual(['a', 'b', 'c']);
  });

  it('shows a wholly new document in full and nothing for an unchanged one', () => {
    const added: DiffLine[] = [{ kind: 'add', text: '{' }, { kind: 'add', text: '}' }];
    expect(hunks(added)).toEqual(added);
    expect(hunks(same(5))).toEqual([]);
  });

});
