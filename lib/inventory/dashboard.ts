/**
 * The admin dashboard's figures: the headline, breakdowns by account, tag, category and device type, coverage over
 * time, each cohort's burndown, and the sources of the last run. Read from program_user_verdicts (migration 0019), the
 * program's per-user facts stored at write time.
 */
import 'server-only';
import { asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { inventoryAccounts, inventoryRuns, inventorySnapshots, programCategories, programUserFacts, programUserVerdicts, userWindows } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import type { RootStatus } from './credential-report';
import { NO_CATEGORY } from './coverage-view';
import { assertAdmin } from './access';
import { programFingerprint, type RunProgress } from './runs';

/** In-scope users of a group and how many of them meet their category's rules. */
export type Breakdown = { key: string; inScope: number; compliant: number };

export type CategoryBreakdown = Breakdown & { categoryId: number | null; name: string; cohort: string | null; deadline: Date | null };

export type CohortPoint = { takenAt: Date; inScope: number; compliant: number; remaining: number };
/** One cohort's gaps over time: each snapshot, then the current figures. */
/** `extended`: of the remaining gaps now, those with a window (an extension, a new user's, a grace) whose own date is still ahead. */
export type CohortBurndown = { cohort: string; deadline: Date | null; points: CohortPoint[]; extended: number };

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
  extended: number;
  deadline: Date | string | null;
};

/**
 * Every figure of the dashboard in one pass over program_user_verdicts (the stored, narrow per-user facts, with the
 * clock-dependent part of the rule applied): the rows are first counted per combination of the breakdown keys in
 * one hash aggregate (a few thousand groups, however many users), then GROUPING SETS gives the totals and each
 * breakdown (account, each tag key, category, cohort) from those groups.
 */
function dimensionsQuery(tagKeys: readonly string[]) {
  const f = programUserVerdicts;
  const c = programCategories;
  const keys: { dim: SQL; column: SQL; expr: SQL }[] = [
    { dim: sql`'account'`, column: sql.raw('k_account'), expr: sql`${f.accountId}` },
    ...tagKeys.map((k, i) => ({ dim: sql`${`tag:${k}`}::text`, column: sql.raw(`k_tag${i}`), expr: sql`coalesce(${f.tags} ->> ${k}::text, '(none)')` })),
    { dim: sql`'category'`, column: sql.raw('k_category'), expr: sql`coalesce(${f.categoryId}::text, 'none')` },
    { dim: sql`'cohort'`, column: sql.raw('k_cohort'), expr: sql`coalesce(${c.cohort}, ${NO_CATEGORY}::text)` },
  ];
  const columns = sql.join(
    keys.map((k) => sql`${k.expr} AS ${k.column}`),
    sql`, `,
  );
  const keyColumns = sql.join(
    keys.map((k) => k.column),
    sql`, `,
  );
  const dim = sql.join(
    keys.map((k) => sql`WHEN GROUPING(${k.column}) = 0 THEN ${k.dim}`),
    sql` `,
  );
  const counts = ['users', 'console_users', 'in_scope', 'compliant', 'leftover_only', 'exceptions', 'expired_exceptions', 'out_of_scope', 'phishing_resistant', 'extended'];
  const w = userWindows;
  return sql`
    WITH pre AS (
      SELECT ${columns},
        count(*) AS users,
        count(*) FILTER (WHERE ${f.consoleAccess}) AS console_users,
        count(*) FILTER (WHERE ${f.inScope}) AS in_scope,
        count(*) FILTER (WHERE ${f.inScope} AND ${f.compliant}) AS compliant,
        count(*) FILTER (WHERE ${f.inScope} AND NOT ${f.compliant} AND ${f.mfaState} = 'leftover-only') AS leftover_only,
        count(*) FILTER (WHERE ${f.consoleAccess} AND ${f.decision} = 'exception' AND NOT ${f.exceptionExpired}) AS exceptions,
        count(*) FILTER (WHERE ${f.consoleAccess} AND ${f.exceptionExpired}) AS expired_exceptions,
        count(*) FILTER (WHERE ${f.consoleAccess} AND ${f.decision} = 'out-of-scope') AS out_of_scope,
        count(*) FILTER (WHERE ${f.inScope} AND ${f.phishingResistant}) AS phishing_resistant,
        count(*) FILTER (WHERE ${f.inScope} AND NOT ${f.compliant} AND ${w.id} IS NOT NULL) AS extended,
        min(${c.deadline}) AS deadline
      FROM ${f} LEFT JOIN ${c} ON ${c.id} = ${f.categoryId}
        -- A join, not an EXISTS per user: a user has at most one active window (user_windows_one_active_idx), and a
        -- correlated subquery priced per row (user_windows small and rarely analyzed) made the plan look expensive
        -- enough for JIT compilation, half a second at 100,000 users.
        LEFT JOIN ${w} ON ${w.accountId} = ${f.accountId} AND ${w.userName} = ${f.userName} AND ${w.status} = 'active' AND ${w.endsAt} > now()
      GROUP BY ${keyColumns}
    ), counted AS (
      SELECT CASE ${dim} ELSE 'all' END AS dim,
        coalesce(${keyColumns}, '') AS key,
        ${sql.raw(counts.map((n) => `coalesce(sum(${n}), 0)::int AS ${n}`).join(', '))},
        min(deadline) AS deadline
      FROM pre
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

/**
 * The planner cannot know how few groups the breakdown keys make, and at 4 MB of work_mem it sorts 100,000 rows to
 * disk instead of hashing them; the hash table itself stays small. JIT is off for the same transaction: the query
 * runs in ~0.1 s at 100,000 users, and whenever the planner overestimates it (a table not yet analyzed) JIT
 * compilation with inlining and optimization added ~0.55 s to every dashboard load (EXPLAIN ANALYZE, `npm run bench pages`).
 */
const DASHBOARD_WORK_MEM = '32MB';

function programChangedSince(run: typeof inventoryRuns.$inferSelect | undefined, current: string): boolean {
  const used = (run?.progress as Partial<RunProgress> | undefined)?.programFingerprint;
  // Runs from before the fingerprint: unknown, so no warning that might be wrong.
  return used !== undefined && used !== current;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);
const toDate = (d: Date | string | null | undefined) => (d == null ? null : new Date(d));

type SnapshotCohorts = Record<string, { inScope?: number; compliant?: number; deadline?: string | null }>;

export async function getDashboard(actor: Actor, tagKeys: readonly string[]): Promise<Dashboard> {
  assertAdmin(actor);
  const db = await getDb();
  const [dimResult, categories, byDeviceType, history, [lastRun], fingerprint] = await Promise.all([
    db.transaction(async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL work_mem = '${DASHBOARD_WORK_MEM}'`));
      await tx.execute(sql.raw('SET LOCAL jit = off'));
      return tx.execute(dimensionsQuery(tagKeys));
    }),
    db
      .select({ id: programCategories.id, name: programCategories.name, cohort: programCategories.cohort, deadline: programCategories.deadline })
      .from(programCategories)
      .orderBy(asc(programCategories.position), asc(programCategories.id)),
    db.execute(sql`SELECT t.key AS type, sum(t.value::int)::int AS devices, count(*)::int AS users
                   FROM ${programUserFacts}, jsonb_each_text(${programUserFacts.deviceTypes}) t WHERE ${programUserFacts.hasDevices} GROUP BY 1 ORDER BY 1`),
    db.select().from(inventorySnapshots).orderBy(desc(inventorySnapshots.takenAt)).limit(60),
    db.select().from(inventoryRuns).orderBy(desc(inventoryRuns.startedAt)).limit(1),
    programFingerprint(db),
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
      return { cohort: r.key, deadline: toDate(r.deadline), points, extended: r.extended };
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
    programChangedSinceRun: programChangedSince(lastRun, fingerprint),
  };
}
