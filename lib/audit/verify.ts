import { asc, gt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import { checkRows, emptyChain, type ChainBreak, type ChainRow } from './chain';

export type VerifyResult = { ok: true; rows: number; head: { seq: number; hash: string } | null } | { ok: false; rows: number; broken: ChainBreak };

/**
 * Recomputes every row's hash in the database and walks the chain in seq order, in batches. `rows` is the
 * number of rows found intact before the first break. Keep the printed head (seq and hash) somewhere else:
 * it proves later that nobody rewrote the whole chain.
 */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<VerifyResult> {
  const state = emptyChain();
  for (;;) {
    const after = state.last?.seq ?? 0;
    const rows: ChainRow[] = await db
      .select({
        id: auditLog.id,
        seq: auditLog.seq,
        prevHash: auditLog.prevHash,
        hash: auditLog.hash,
        recomputed: sql<string>`audit_log_row_hash(${auditLog.prevHash}, ${auditLog.id}, ${auditLog.seq}, ${auditLog.at}, ${auditLog.actor}, ${auditLog.action}, ${auditLog.target}, ${auditLog.outcome}, ${auditLog.detail}, ${auditLog.intentId})`,
      })
      .from(auditLog)
      .where(gt(auditLog.seq, after))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    const broken = checkRows(state, rows.map((r) => ({ ...r, id: Number(r.id), seq: Number(r.seq) })));
    if (broken) return { ok: false, rows: state.checked, broken };
    if (rows.length < batch) return { ok: true, rows: state.checked, head: state.last };
  }
}
