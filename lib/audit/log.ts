import 'server-only';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { auditLog, type AuditEntry } from '@/lib/db/schema';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export type AuditRecord = {
  actor: string;
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  /** A reason code and non-secret context. Never codes, seeds or secrets. */
  detail?: Record<string, unknown>;
};

export async function recordAudit(db: Db, record: AuditRecord): Promise<void> {
  await db.insert(auditLog).values({
    actor: record.actor,
    action: record.action,
    target: record.target ?? null,
    outcome: record.outcome,
    detail: record.detail ?? {},
  });
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
