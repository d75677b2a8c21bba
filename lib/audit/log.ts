import 'server-only';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, type AuditEntry } from '@/lib/db/schema';
import { AwsError, classifyAwsError } from '@/lib/aws/errors';
import type { AuditAction, AuditOutcome } from './actions';

export type { AuditAction, AuditOutcome } from './actions';

export type AuditRecord = {
  actor: string;
  action: AuditAction;
  target?: string | null;
  outcome: AuditOutcome;
  /** A reason code and non-secret context. Never codes, seeds or secrets. */
  detail?: Record<string, unknown>;
  /** On an outcome row: the intent row it concludes. */
  intentId?: number | null;
};

/**
 * Appends one row. The database's insert trigger (migration 0012) gives it its place in the hash chain, under
 * a lock, whichever instance writes. Throws when the row cannot be written: callers about to act must not act.
 */
export async function recordAudit(db: Db, record: AuditRecord): Promise<{ id: number; seq: number }> {
  const [row] = await db
    .insert(auditLog)
    .values({
      actor: record.actor,
      action: record.action,
      target: record.target ?? null,
      outcome: record.outcome,
      detail: record.detail ?? {},
      intentId: record.intentId ?? null,
    })
    .returning({ id: auditLog.id, seq: auditLog.seq });
  return row!;
}

export type MutationContext = {
  actor: string;
  action: AuditAction;
  target?: string | null;
  /** Non-secret context of the act (serial, policy ARN …): written on both rows. */
  detail?: Record<string, unknown>;
};

/**
 * Runs one AWS mutation between an intent row and an outcome row. The intent is written first: if it cannot be
 * written (database down, a value the log refuses), the error propagates and AWS is not called. The outcome row
 * names the intent and carries the AWS error's reason code on failure; the error is then rethrown unchanged.
 */
export async function auditedMutation<T>(ctx: MutationContext, operation: string, run: () => Promise<T>, db?: Db): Promise<T> {
  const conn = db ?? (await getDb());
  const base = { actor: ctx.actor, action: ctx.action, target: ctx.target ?? null };
  const intent = await recordAudit(conn, { ...base, outcome: 'intent', detail: { ...ctx.detail, operation } });
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const { code, name } = error instanceof AwsError ? { code: error.code, name: error.awsName } : classifyAwsError(error);
    await recordAudit(conn, { ...base, outcome: 'failure', intentId: intent.id, detail: { ...ctx.detail, operation, reason: code, error: name } });
    throw error;
  }
  await recordAudit(conn, { ...base, outcome: 'success', intentId: intent.id, detail: { ...ctx.detail, operation } });
  return result;
}

export async function listAudit(
  db: Db,
  filter: { action?: string; actor?: string; limit?: number } = {},
): Promise<AuditEntry[]> {
  const where: SQL[] = [];
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.actor) where.push(eq(auditLog.actor, filter.actor));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(Math.min(filter.limit ?? 100, 1000));
}
