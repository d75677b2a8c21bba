import 'server-only';
import { and, asc, desc, eq, gte, ilike, like, lt, sql, type SQL } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { auditLog, type AuditEntry } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { actionMatch, dateRange, type AuditFilters } from './filters';
import { recordAudit } from './log';

export type { AuditFilters } from './filters';

/** Reading the audit log is an admin's: the domain checks it, not only the page. */
const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'the audit log');

/** What the person typed is matched literally: %, _ and \ are not wildcards. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function where(f: Partial<AuditFilters>): SQL | undefined {
  const a = auditLog;
  const parts: SQL[] = [];
  if (f.action) {
    const m = actionMatch(f.action);
    parts.push(m.kind === 'exact' ? eq(a.action, m.action) : like(a.action, `${escapeLike(m.prefix)}%`));
  }
  if (f.actor) parts.push(ilike(a.actor, `%${escapeLike(f.actor)}%`));
  // Case-insensitive too: IAM user and role names are unique regardless of case.
  if (f.target) parts.push(ilike(a.target, `%${escapeLike(f.target)}%`));
  if (f.outcome) parts.push(eq(a.outcome, f.outcome));
  const { since, before } = dateRange(f);
  if (since) parts.push(gte(a.at, since));
  if (before) parts.push(lt(a.at, before));
  return parts.length ? and(...parts) : undefined;
}

const newestFirst = [desc(auditLog.at), desc(auditLog.id)];

export async function listAuditPage(actor: Actor, f: AuditFilters): Promise<{ rows: AuditEntry[]; total: number }> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  const [rows, [count]] = await Promise.all([
    db.select().from(auditLog).where(w).orderBy(...newestFirst).limit(f.pageSize).offset((f.page - 1) * f.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(w),
  ]);
  return { rows, total: count?.n ?? 0 };
}

/** An export of the audit log: authorised and itself audited (with its format and filters) before any entry is read. */
export async function exportAuditEntries(actor: Actor, f: Partial<AuditFilters>, format: string): Promise<AsyncGenerator<AuditEntry[]>> {
  assertAdmin(actor);
  await recordAudit(await getDb(), { actor: actor.id, action: 'audit.export', outcome: 'success', detail: { format, filters: f } });
  return allAuditEntries(actor, f);
}

/**
 * Every entry matching the filters, newest first, in batches for exports. Keyset paging: entries written
 * while the export runs do not shift later batches. The cursor row is compared in the database, where
 * `at` keeps its microseconds (a JS Date would round them off and skip rows).
 */
export async function* allAuditEntries(actor: Actor, f: Partial<AuditFilters>, batch = 1000): AsyncGenerator<AuditEntry[]> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  let last: number | undefined;
  for (;;) {
    const after = last === undefined ? undefined : sql`(${auditLog.at}, ${auditLog.id}) < (SELECT c.at, c.id FROM audit_log c WHERE c.id = ${last})`;
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(w, after))
      .orderBy(...newestFirst)
      .limit(batch);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
    last = rows[rows.length - 1]!.id;
  }
}

/** The distinct action names in the log, for the filter's select. */
export async function listAuditActions(actor: Actor): Promise<string[]> {
  assertAdmin(actor);
  const db = await getDb();
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.action));
  return rows.map((r) => r.action);
}
