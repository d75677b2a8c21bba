import 'server-only';
import type { RootStatus } from './credential-report';
import { and, asc, desc, eq, ilike, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { recordAudit } from '@/lib/audit/log';
import { programFingerprint, type RunProgress } from './store';
import { inventoryAccounts, inventoryRuns, inventorySnapshots, inventoryUsers, programCategories, programUsers, type ProgramUserRow } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import type { UserFilters } from './user-filters';
import { NO_CATEGORY } from './coverage-view';

/** An inventoried IAM user with the program applied (the `program_users` view). */
export type InventoryRow = ProgramUserRow;

/** Every read of the inventory is an admin's: the domain checks it, not only the page. */
const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'the inventory');

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

/** In-scope users of a group and how many of them meet their category's rules. */
export type Breakdown = { key: string; inScope: number; compliant: number };

export type CategoryBreakdown = Breakdown & { categoryId: number | null; name: string; cohort: string | null; deadline: Date | null };

export type CohortPoint = { takenAt: Date; inScope: number; compliant: number; remaining: number };
/** One cohort's gaps over time: each snapshot, then the current figures. */
export type CohortBurndown = { cohort: string; deadline: Date | null; points: CohortPoint[] };

export type Headline = {
  users: number;
  consoleUsers: number;
  /** Console access, and MFA required now (decision required, or an exception that expired). */
  inScope: number;
  /** In scope and meeting the category's device types and count. */
  withMfa: number;
  /** In scope and not compliant: the program's gaps. */
  withoutMfa: number;
  leftoverOnly: number;
  /** Console users with an exception still in force. */
  exceptions: number;
  /** Console users whose exception expired (they are in scope, and counted there). */
  expiredExceptions: number;
  /** Console users decided out of scope. */
  outOfScope: number;
  /** In scope with at least one phishing-resistant device (a security key or passkey), whatever their category asks. */
  phishingResistant: number;
};

export type Dashboard = {
  headline: Headline;
  byAccount: Breakdown[];
  byTag: Record<string, Breakdown[]>;
  byCategory: CategoryBreakdown[];
  byDeviceType: { type: string; devices: number; users: number }[];
  history: { takenAt: Date; coveragePct: number; inScope: number; withMfa: number }[];
  burndown: CohortBurndown[];
  sources: {
    accountId: string;
    alias: string | null;
    collectedAt: Date | null;
    credentialReportAt: Date | null;
    rootMfaActive: boolean | null;
    rootStatus: RootStatus | null;
    unattributedLeftovers: string[];
    error: string | null;
  }[];
  lastRun: typeof inventoryRuns.$inferSelect | null;
  /**
   * The program changed since the last run started: device lists the new rules depend on (a backup now required, a
   * virtual device no longer allowed) may be incomplete until the next run.
   */
  programChangedSinceRun: boolean;
};

/** Breakdowns shown per tag value: the largest groups. */
const TAG_VALUES_SHOWN = 25;

type DimRow = {
  dim: string;
  key: string;
  users: number;
  console_users: number;
  in_scope: number;
  compliant: number;
  leftover_only: number;
  exceptions: number;
  expired_exceptions: number;
  out_of_scope: number;
  phishing_resistant: number;
  deadline: Date | string | null;
};

/**
 * Every figure of the dashboard in one pass over the view: GROUPING SETS gives the totals and each breakdown
 * (account, each tag key, category, cohort) from a single evaluation of the view, which resolves the program per row.
 */
function dimensionsQuery(tagKeys: readonly string[]) {
  const p = programUsers;
  const keys: { dim: SQL; column: SQL; expr: SQL }[] = [
    { dim: sql`'account'`, column: sql.raw('k_account'), expr: sql`${p.accountId}` },
    ...tagKeys.map((k, i) => ({ dim: sql`${`tag:${k}`}::text`, column: sql.raw(`k_tag${i}`), expr: sql`coalesce(${p.tags} ->> ${k}::text, '(none)')` })),
    { dim: sql`'category'`, column: sql.raw('k_category'), expr: sql`coalesce(${p.categoryId}::text, 'none')` },
    { dim: sql`'cohort'`, column: sql.raw('k_cohort'), expr: sql`coalesce(${p.cohort}, ${NO_CATEGORY}::text)` },
  ];
  const columns = sql.join(
    keys.map((k) => sql`${k.expr} AS ${k.column}`),
    sql`, `,
  );
  const dim = sql.join(
    keys.map((k) => sql`WHEN GROUPING(${k.column}) = 0 THEN ${k.dim}`),
    sql` `,
  );
  return sql`
    WITH v AS (
      SELECT ${p.consoleAccess} AS console_access, ${p.inScope} AS in_scope, ${p.compliant} AS compliant, ${p.mfaState} AS mfa_state,
        ${p.decision} AS decision, ${p.exceptionExpired} AS exception_expired, ${p.deadline} AS deadline,
        ${p.devices} @> '[{"type":"fido"}]'::jsonb AS phishing_resistant, ${columns}
      FROM ${p}
    ), counted AS (
      SELECT CASE ${dim} ELSE 'all' END AS dim,
        coalesce(${sql.join(
          keys.map((k) => k.column),
          sql`, `,
        )}, '') AS key,
        count(*)::int AS users,
        count(*) FILTER (WHERE console_access)::int AS console_users,
        count(*) FILTER (WHERE in_scope)::int AS in_scope,
        count(*) FILTER (WHERE in_scope AND compliant)::int AS compliant,
        count(*) FILTER (WHERE in_scope AND NOT compliant AND mfa_state = 'leftover-only')::int AS leftover_only,
        count(*) FILTER (WHERE console_access AND decision = 'exception' AND NOT exception_expired)::int AS exceptions,
        count(*) FILTER (WHERE console_access AND exception_expired)::int AS expired_exceptions,
        count(*) FILTER (WHERE console_access AND decision = 'out-of-scope')::int AS out_of_scope,
        count(*) FILTER (WHERE in_scope AND phishing_resistant)::int AS phishing_resistant,
        min(deadline) AS deadline
      FROM v
      GROUP BY GROUPING SETS ((), ${sql.join(
        keys.map((k) => sql`(${k.column})`),
        sql`, `,
      )})
    )
    SELECT * FROM (
      SELECT c.*, row_number() OVER (PARTITION BY c.dim ORDER BY c.in_scope DESC, c.users DESC, c.key) AS rank FROM counted c
    ) ranked
    WHERE dim NOT LIKE 'tag:%' OR rank <= ${TAG_VALUES_SHOWN}
    ORDER BY dim, rank`;
}

async function programChangedSince(db: Db, run: typeof inventoryRuns.$inferSelect | undefined): Promise<boolean> {
  const used = (run?.progress as Partial<RunProgress> | undefined)?.programFingerprint;
  // Runs from before the fingerprint: unknown, so no warning that might be wrong.
  return used !== undefined && used !== (await programFingerprint(db));
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);
const toDate = (d: Date | string | null | undefined) => (d == null ? null : new Date(d));

type SnapshotCohorts = Record<string, { inScope?: number; compliant?: number; deadline?: string | null }>;

export async function getDashboard(actor: Actor, tagKeys: readonly string[]): Promise<Dashboard> {
  assertAdmin(actor);
  const db = await getDb();
  const u = inventoryUsers;
  const [dimResult, categories, byDeviceType, history, [lastRun]] = await Promise.all([
    db.execute(dimensionsQuery(tagKeys)),
    db
      .select({ id: programCategories.id, name: programCategories.name, cohort: programCategories.cohort, deadline: programCategories.deadline })
      .from(programCategories)
      .orderBy(asc(programCategories.position), asc(programCategories.id)),
    db.execute(sql`SELECT d->>'type' AS type, count(*)::int AS devices, count(DISTINCT (${u.accountId}, ${u.userName}))::int AS users
                   FROM ${u}, jsonb_array_elements(${u.devices}) d GROUP BY 1 ORDER BY 1`),
    db.select().from(inventorySnapshots).orderBy(desc(inventorySnapshots.takenAt)).limit(60),
    db.select().from(inventoryRuns).orderBy(desc(inventoryRuns.startedAt)).limit(1),
  ]);
  const sources = lastRun
    ? await db
        .select({
          accountId: inventoryAccounts.accountId,
          alias: inventoryAccounts.alias,
          collectedAt: inventoryAccounts.collectedAt,
          credentialReportAt: inventoryAccounts.credentialReportAt,
          rootMfaActive: inventoryAccounts.rootMfaActive,
          rootStatus: inventoryAccounts.rootStatus,
          unattributedLeftovers: inventoryAccounts.unattributedLeftovers,
          error: inventoryAccounts.error,
        })
        .from(inventoryAccounts)
        .where(eq(inventoryAccounts.runId, lastRun.id))
        .orderBy(inventoryAccounts.accountId)
    : [];

  const dims = rowsOf<DimRow>(dimResult);
  const of = (dim: string) => dims.filter((r) => r.dim === dim);
  const breakdown = (r: DimRow): Breakdown => ({ key: r.key, inScope: r.in_scope, compliant: r.compliant });
  const all = of('all')[0];
  const headline: Headline = {
    users: all?.users ?? 0,
    consoleUsers: all?.console_users ?? 0,
    inScope: all?.in_scope ?? 0,
    withMfa: all?.compliant ?? 0,
    withoutMfa: (all?.in_scope ?? 0) - (all?.compliant ?? 0),
    leftoverOnly: all?.leftover_only ?? 0,
    exceptions: all?.exceptions ?? 0,
    expiredExceptions: all?.expired_exceptions ?? 0,
    outOfScope: all?.out_of_scope ?? 0,
    phishingResistant: all?.phishing_resistant ?? 0,
  };

  // Every category, in the security team's order, also those that select nobody (a selector worth checking).
  const byCategoryKey = new Map(of('category').map((r) => [r.key, r]));
  const byCategory: CategoryBreakdown[] = categories.map((c) => {
    const r = byCategoryKey.get(String(c.id));
    return { key: String(c.id), categoryId: c.id, name: c.name, cohort: c.cohort, deadline: c.deadline, inScope: r?.in_scope ?? 0, compliant: r?.compliant ?? 0 };
  });
  const none = byCategoryKey.get('none');
  if (none) byCategory.push({ key: 'none', categoryId: null, name: NO_CATEGORY, cohort: null, deadline: null, inScope: none.in_scope, compliant: none.compliant });

  const snapshots = history.reverse();
  const now = new Date();
  const burndown: CohortBurndown[] = of('cohort')
    .filter((r) => r.key !== NO_CATEGORY && r.deadline !== null)
    .map((r) => {
      const points: CohortPoint[] = [];
      for (const s of snapshots) {
        const c = (s.totals.byCohort as SnapshotCohorts | undefined)?.[r.key];
        if (!c) continue;
        const inScope = Number(c.inScope ?? 0);
        const compliant = Number(c.compliant ?? 0);
        points.push({ takenAt: s.takenAt, inScope, compliant, remaining: inScope - compliant });
      }
      points.push({ takenAt: now, inScope: r.in_scope, compliant: r.compliant, remaining: r.in_scope - r.compliant });
      return { cohort: r.key, deadline: toDate(r.deadline), points };
    })
    .sort((a, b) => (a.deadline?.getTime() ?? 0) - (b.deadline?.getTime() ?? 0) || a.cohort.localeCompare(b.cohort));

  return {
    headline,
    byAccount: of('account').map(breakdown).sort((a, b) => a.key.localeCompare(b.key)),
    byTag: Object.fromEntries(tagKeys.map((k) => [k, of(`tag:${k}`).map(breakdown)])),
    byCategory,
    byDeviceType: rowsOf<{ type: string; devices: number; users: number }>(byDeviceType),
    history: snapshots.map((s) => {
      // Snapshots before the program counted every console user in scope.
      const inScope = Number(s.totals.inScope ?? s.totals.consoleUsers ?? 0);
      return { takenAt: s.takenAt, coveragePct: Number(s.totals.coveragePct ?? 0), inScope, withMfa: Number(s.totals.withMfa ?? 0) };
    }),
    burndown,
    sources,
    lastRun: lastRun ?? null,
    programChangedSinceRun: await programChangedSince(db, lastRun),
  };
}
