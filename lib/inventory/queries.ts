import 'server-only';
import { and, asc, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { inventoryAccounts, inventoryRuns, inventorySnapshots, inventoryUsers } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import type { UserFilters } from './user-filters';

export type InventoryRow = typeof inventoryUsers.$inferSelect;

/** Every read of the inventory is an admin's: the domain checks it, not only the page. */
const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'the inventory');

function where(f: Partial<UserFilters>): SQL | undefined {
  const u = inventoryUsers;
  const parts: (SQL | undefined)[] = [];
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(or(ilike(u.userName, like), ilike(u.arn, like), sql`${u.tags}::text ILIKE ${like}`));
  }
  if (f.account) parts.push(eq(u.accountId, f.account));
  if (f.console) parts.push(eq(u.consoleAccess, f.console === 'yes'));
  if (f.mfa === 'gap') parts.push(and(eq(u.consoleAccess, true), sql`${u.mfaState} <> 'enabled'`));
  else if (f.mfa) parts.push(eq(u.mfaState, f.mfa));
  if (f.flag) parts.push(sql`${u.flags} @> ${JSON.stringify([f.flag])}::jsonb`);
  if (f.tagKey && f.tagValue) parts.push(sql`${u.tags} ->> ${f.tagKey} = ${f.tagValue}`);
  else if (f.tagKey) parts.push(sql`${u.tags} ? ${f.tagKey}`);
  return and(...parts);
}

function orderBy(f: UserFilters): SQL[] {
  const u = inventoryUsers;
  const d = f.dir === 'desc' ? desc : asc;
  const byName = [d(u.userName), asc(u.accountId)];
  switch (f.sort) {
    case 'account':
      return [d(u.accountId), asc(u.userName)];
    case 'state':
      return [d(u.mfaState), ...byName];
    case 'created':
      return [sql`${u.createdAt} ${sql.raw(f.dir === 'desc' ? 'DESC' : 'ASC')} NULLS LAST`, ...byName];
    case 'lastUsed':
      return [sql`${u.passwordLastUsed} ${sql.raw(f.dir === 'desc' ? 'DESC' : 'ASC')} NULLS FIRST`, ...byName];
    default:
      return byName;
  }
}

export async function listInventoryUsers(actor: Actor, f: UserFilters): Promise<{ rows: InventoryRow[]; total: number }> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  const [rows, [count]] = await Promise.all([
    db.select().from(inventoryUsers).where(w).orderBy(...orderBy(f)).limit(f.pageSize).offset((f.page - 1) * f.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(inventoryUsers).where(w),
  ]);
  return { rows, total: count?.n ?? 0 };
}

/** Every row matching the filters, in batches, for exports (no page limit, bounded memory per batch). */
export async function* allInventoryUsers(actor: Actor, f: Partial<UserFilters>, batch = 1000): AsyncGenerator<InventoryRow[]> {
  assertAdmin(actor);
  const db = await getDb();
  const w = where(f);
  for (let offset = 0; ; offset += batch) {
    const rows = await db.select().from(inventoryUsers).where(w).orderBy(asc(inventoryUsers.accountId), asc(inventoryUsers.userName)).limit(batch).offset(offset);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
  }
}

export async function getInventoryUser(actor: Actor, accountId: string, userName: string): Promise<InventoryRow | null> {
  assertAdmin(actor);
  const db = await getDb();
  const [row] = await db.select().from(inventoryUsers).where(and(eq(inventoryUsers.accountId, accountId), eq(inventoryUsers.userName, userName)));
  return row ?? null;
}

export type Breakdown = { key: string; consoleUsers: number; withMfa: number };

export type Dashboard = {
  headline: { users: number; consoleUsers: number; withMfa: number; withoutMfa: number; leftoverOnly: number; exceptions: number; outOfScope: number; inScope: number };
  byAccount: Breakdown[];
  byTag: Record<string, Breakdown[]>;
  byDeviceType: { type: string; devices: number; users: number }[];
  history: { takenAt: Date; coveragePct: number; consoleUsers: number; withMfa: number }[];
  sources: {
    accountId: string;
    alias: string | null;
    collectedAt: Date | null;
    credentialReportAt: Date | null;
    rootMfaActive: boolean | null;
    unattributedLeftovers: string[];
    error: string | null;
  }[];
  lastRun: typeof inventoryRuns.$inferSelect | null;
};

const consoleAndMfa = {
  consoleUsers: sql<number>`count(*) FILTER (WHERE ${inventoryUsers.consoleAccess})::int`,
  withMfa: sql<number>`count(*) FILTER (WHERE ${inventoryUsers.consoleAccess} AND ${inventoryUsers.mfaState} = 'enabled')::int`,
};

export async function getDashboard(actor: Actor, tagKeys: readonly string[]): Promise<Dashboard> {
  assertAdmin(actor);
  const db = await getDb();
  const u = inventoryUsers;
  const [[head], byAccount, byDeviceType, history, [lastRun], ...tagRows] = await Promise.all([
    db
      .select({
        users: sql<number>`count(*)::int`,
        ...consoleAndMfa,
        leftoverOnly: sql<number>`count(*) FILTER (WHERE ${u.consoleAccess} AND ${u.mfaState} = 'leftover-only')::int`,
      })
      .from(u),
    db.select({ key: u.accountId, ...consoleAndMfa }).from(u).groupBy(u.accountId).orderBy(u.accountId),
    db.execute(sql`SELECT d->>'type' AS type, count(*)::int AS devices, count(DISTINCT (${u.accountId}, ${u.userName}))::int AS users
                   FROM ${u}, jsonb_array_elements(${u.devices}) d GROUP BY 1 ORDER BY 1`),
    db.select().from(inventorySnapshots).orderBy(desc(inventorySnapshots.takenAt)).limit(60),
    db.select().from(inventoryRuns).orderBy(desc(inventoryRuns.startedAt)).limit(1),
    ...tagKeys.map((k) =>
      db
        .select({ key: sql<string>`coalesce(${u.tags} ->> ${k}, '(none)')`, ...consoleAndMfa })
        .from(u)
        .groupBy(sql`1`)
        .orderBy(sql`2 DESC`)
        .limit(25),
    ),
  ]);
  const sources = lastRun
    ? await db
        .select({
          accountId: inventoryAccounts.accountId,
          alias: inventoryAccounts.alias,
          collectedAt: inventoryAccounts.collectedAt,
          credentialReportAt: inventoryAccounts.credentialReportAt,
          rootMfaActive: inventoryAccounts.rootMfaActive,
          unattributedLeftovers: inventoryAccounts.unattributedLeftovers,
          error: inventoryAccounts.error,
        })
        .from(inventoryAccounts)
        .where(eq(inventoryAccounts.runId, lastRun.id))
        .orderBy(inventoryAccounts.accountId)
    : [];
  const h = head ?? { users: 0, consoleUsers: 0, withMfa: 0, leftoverOnly: 0 };
  return {
    headline: { ...h, withoutMfa: h.consoleUsers - h.withMfa, exceptions: 0, outOfScope: 0, inScope: h.consoleUsers },
    byAccount,
    byTag: Object.fromEntries(tagKeys.map((k, i) => [k, tagRows[i] as Breakdown[]])),
    byDeviceType: (byDeviceType as unknown as { rows?: { type: string; devices: number; users: number }[] }).rows ?? (byDeviceType as unknown as { type: string; devices: number; users: number }[]),
    history: history
      .reverse()
      .map((s) => ({ takenAt: s.takenAt, coveragePct: Number(s.totals.coveragePct ?? 0), consoleUsers: Number(s.totals.consoleUsers ?? 0), withMfa: Number(s.totals.withMfa ?? 0) })),
    sources,
    lastRun: lastRun ?? null,
  };
}
