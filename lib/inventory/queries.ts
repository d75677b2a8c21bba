import 'server-only';
import { and, asc, desc, eq, ilike, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { recordAudit } from '@/lib/audit/log';
import { programCategories, programUsers, type ProgramUserRow } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import type { UserFilters } from './user-filters';
import { assertAdmin } from './access';

/** The dashboard's figures live in dashboard.ts; the pages read them through this module. */
export { getDashboard, type Breakdown, type CategoryBreakdown, type CohortBurndown, type CohortPoint, type Dashboard, type Headline } from './dashboard';

/** An inventoried IAM user with the program applied (the `program_users` view). */
export type InventoryRow = ProgramUserRow;


function where(f: Partial<UserFilters>): SQL | undefined {
  const u = programUsers;
  const parts: (SQL | undefined)[] = [];
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(or(ilike(u.userName, like), ilike(u.arn, like), sql`${u.tags}::text ILIKE ${like}`));
  }
  if (f.account) parts.push(eq(u.accountId, f.account));
  if (f.console) parts.push(eq(u.consoleAccess, f.console === 'yes'));
  if (f.mfa === 'gap') parts.push(isNotNull(u.programGap));
  else if (f.mfa === 'compliant') parts.push(eq(u.compliant, true));
  else if (f.mfa) parts.push(eq(u.mfaState, f.mfa));
  if (f.scope) parts.push(eq(u.inScope, f.scope === 'in'));
  if (f.category === 'none') parts.push(isNull(u.categoryId));
  else if (f.category) parts.push(eq(u.categoryId, Number(f.category)));
  if (f.decision === 'expired-exception') parts.push(eq(u.exceptionExpired, true));
  else if (f.decision === 'exception') parts.push(and(eq(u.decision, 'exception'), eq(u.exceptionExpired, false)));
  else if (f.decision) parts.push(eq(u.decision, f.decision));
  if (f.flag) parts.push(sql`${u.flags} @> ${JSON.stringify([f.flag])}::jsonb`);
  if (f.tagKey && f.tagValue) parts.push(sql`${u.tags} ->> ${f.tagKey} = ${f.tagValue}`);
  else if (f.tagKey) parts.push(sql`${u.tags} ? ${f.tagKey}`);
  return and(...parts);
}

function orderBy(f: UserFilters): SQL[] {
  const u = programUsers;
  const d = f.dir === 'desc' ? desc : asc;
  const dir = sql.raw(f.dir === 'desc' ? 'DESC' : 'ASC');
  const byName = [d(u.userName), asc(u.accountId)];
  switch (f.sort) {
    case 'account':
      return [d(u.accountId), asc(u.userName)];
    case 'state':
      return [d(u.mfaState), ...byName];
    case 'category':
      return [sql`${u.categoryName} ${dir} NULLS LAST`, ...byName];
    case 'created':
      return [sql`${u.createdAt} ${dir} NULLS LAST`, ...byName];
    case 'lastUsed':
      return [sql`${u.passwordLastUsed} ${dir} NULLS FIRST`, ...byName];
    default:
      return byName;
  }
}

export async function listInventoryUsers(actor: Actor, f: UserFilters): Promise<{ rows: InventoryRow[]; total: number }> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  const [rows, [count]] = await Promise.all([
    db.select().from(programUsers).where(w).orderBy(...orderBy(f)).limit(f.pageSize).offset((f.page - 1) * f.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(programUsers).where(w),
  ]);
  return { rows, total: count?.n ?? 0 };
}

/** The first gaps by user name, for the dashboard (whose headline already has their count). */
export async function listGaps(actor: Actor, limit: number): Promise<InventoryRow[]> {
  assertAdmin(actor);
  const db = await getDb();
  return db.select().from(programUsers).where(isNotNull(programUsers.programGap)).orderBy(asc(programUsers.userName), asc(programUsers.accountId)).limit(limit);
}

/** An export of the inventory: authorised and audited (with its format and filters) before any row is read. */
export async function exportInventoryUsers(actor: Actor, f: Partial<UserFilters>, format: string): Promise<AsyncGenerator<InventoryRow[]>> {
  assertAdmin(actor);
  await recordAudit(await getDb(), { actor: actor.id, action: 'inventory.export', outcome: 'success', detail: { format, filters: f } });
  return allInventoryUsers(actor, f);
}

/** Every row matching the filters, in batches, for exports (no page limit, bounded memory per batch). */
export async function* allInventoryUsers(actor: Actor, f: Partial<UserFilters>, batch = 1000): AsyncGenerator<InventoryRow[]> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  for (let offset = 0; ; offset += batch) {
    const rows = await db.select().from(programUsers).where(w).orderBy(asc(programUsers.accountId), asc(programUsers.userName)).limit(batch).offset(offset);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
  }
}

export async function getInventoryUser(actor: Actor, accountId: string, userName: string): Promise<InventoryRow | null> {
  assertAdmin(actor);
  const db = await getDb();
  const [row] = await db.select().from(programUsers).where(and(eq(programUsers.accountId, accountId), eq(programUsers.userName, userName)));
  return row ?? null;
}

/** The categories, in the security team's order, for the users table's filter. */
export async function listCategoryOptions(actor: Actor): Promise<{ id: number; name: string }[]> {
  assertAdmin(actor);
  const db = await getDb();
  return db.select({ id: programCategories.id, name: programCategories.name }).from(programCategories).orderBy(asc(programCategories.position), asc(programCategories.id));
}
