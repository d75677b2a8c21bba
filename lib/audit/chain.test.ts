import { describe, expect, it } from 'vitest';
import { checkRows, describeBreak, emptyChain, type ChainRow } from './chain';

/** A well-formed chain of n rows (hashes are stand-ins: the database computes the real ones). */
function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  for (let i = 1; i <= n; i++) rows.push({ id: 100 + i, seq: i, prevHash: i === 1 ? '' : `h${i - 1}`, hash: `h${i}`, recomputed: `h${i}` });
  return rows;
}

describe('checkRows', () => {
  it('accepts an intact chain, across batches, and remembers its head', () => {
    const state = emptyChain();
    const rows = chain(5);
    expect(checkRows(state, rows.slice(0, 2))).toBeNull();
    expect(checkRows(state, rows.slice(2))).toBeNull();
    expect(state).toEqual({ checked: 5, last: { seq: 5, hash: 'h5' } });
    expect(checkRows(emptyChain(), [])).toBeNull();
  });

  it('names a row whose fields no longer give its hash', () => {
    const rows = chain(4);
    rows[2] = { ...rows[2]!, recomputed: 'other' };
    const state = emptyChain();
    expect(checkRows(state, rows)).toEqual({ id: 103, seq: 3, problem: 'altered', expected: 'other', found: 'h3' });
    expect(state.checked).toBe(2);
  });

  it('names the row after one whose hash was rewritten to match its new fields', () => {
    const rows = chain(4);
    rows[1] = { ...rows[1]!, hash: 'forged', recomputed: 'forged' };
    expect(checkRows(emptyChain(), rows)).toEqual({ id: 103, seq: 3, problem: 'relinked', expected: 'forged', found: 'h2' });
  });

  it('names the row after a removed one, and a chain that does not start at 1', () => {
    const rows = chain(5);
    expect(checkRows(emptyChain(), [rows[0]!, rows[1]!, rows[3]!, rows[4]!])).toMatchObject({ id: 104, seq: 4, problem: 'gap', expected: '3' });
    expect(checkRows(emptyChain(), rows.slice(1))).toMatchObject({ id: 102, seq: 2, problem: 'first', expected: '1' });
  });

  it('finds only the first break', () => {
    const rows = chain(6);
    rows[1] = { ...rows[1]!, recomputed: 'x' };
    rows[4] = { ...rows[4]!, recomputed: 'y' };
    expect(checkRows(emptyChain(), rows)?.seq).toBe(2);
  });
});

describe('describeBreak', () => {
  it('says which row and what is wrong', () => {
    expect(describeBreak({ id: 7, seq: 3, problem: 'altered', expected: 'a', found: 'b' })).toBe('row id 7 (seq 3) was changed after it was written: its fields no longer give its stored hash.');
    expect(describeBreak({ id: 9, seq: 6, problem: 'gap', expected: '4', found: '6' })).toBe('row id 9 (seq 6) follows seq 3: rows 4…5 are missing.');
    expect(describeBreak({ id: 2, seq: 2, problem: 'relinked', expected: 'a', found: 'b' })).toMatch(/^row id 2 \(seq 2\) does not follow the row before it/);
    expect(describeBreak({ id: 5, seq: 4, problem: 'first', expected: '1', found: '4' })).toMatch(/earlier rows are missing/);
  });
});
