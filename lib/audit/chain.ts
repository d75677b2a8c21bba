/**
 * Checking the audit log's hash chain, row by row in seq order. Pure: the database recomputes each row's hash
 * (audit_log_row_hash, migration 0012) and this decides whether the chain holds and where it first breaks.
 */

/** One row as the verifier reads it: what is stored, and the hash recomputed from the stored fields. */
export type ChainRow = { id: number; seq: number; prevHash: string; hash: string; recomputed: string };

export type ChainBreak = {
  id: number;
  seq: number;
  /**
   * `altered`: the row's fields no longer give its hash (edited in place).
   * `relinked`: its prev_hash is not the previous row's hash (a row before it was edited, removed or inserted).
   * `gap`: seq does not follow the previous row's (rows removed); `first`: the chain does not start at seq 1.
   */
  problem: 'altered' | 'relinked' | 'gap' | 'first';
  expected: string;
  found: string;
};

/** Where the chain stands after the rows seen so far: carried from one batch to the next. */
export type ChainState = { checked: number; last: { seq: number; hash: string } | null };

export const emptyChain = (): ChainState => ({ checked: 0, last: null });

/** Checks the next rows (ascending seq) against the state; returns the first break, or null and advances the state. */
export function checkRows(state: ChainState, rows: readonly ChainRow[]): ChainBreak | null {
  for (const row of rows) {
    const wantSeq = state.last ? state.last.seq + 1 : 1;
    const wantPrev = state.last ? state.last.hash : '';
    if (row.seq !== wantSeq) return { id: row.id, seq: row.seq, problem: state.last ? 'gap' : 'first', expected: String(wantSeq), found: String(row.seq) };
    if (row.prevHash !== wantPrev) return { id: row.id, seq: row.seq, problem: 'relinked', expected: wantPrev, found: row.prevHash };
    if (row.hash !== row.recomputed) return { id: row.id, seq: row.seq, problem: 'altered', expected: row.recomputed, found: row.hash };
    state.last = { seq: row.seq, hash: row.hash };
    state.checked++;
  }
  return null;
}

export function describeBreak(b: ChainBreak): string {
  const where = `row id ${b.id} (seq ${b.seq})`;
  switch (b.problem) {
    case 'altered':
      return `${where} was changed after it was written: its fields no longer give its stored hash.`;
    case 'relinked':
      return `${where} does not follow the row before it: its prev_hash is not that row's hash (a row before it was changed, removed or inserted).`;
    case 'gap':
      return `${where} follows seq ${Number(b.expected) - 1}: rows ${b.expected}…${b.seq - 1} are missing.`;
    case 'first':
      return `${where} is the first row, but the chain starts at seq 1: earlier rows are missing.`;
  }
}
