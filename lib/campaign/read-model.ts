/**
 * The campaign at a glance (issue 15 §7), per enforcement cohort of the categories: users in scope, enrolled now,
 * enrolled per day (from the enable dates of the devices in the inventory), the rate over 7 and 14 days, the
 * projected completion against the deadline, who has done nothing yet, pending requests and active graces.
 * In scope and enrolled are counted from program_user_verdicts exactly as the dashboard's burndown counts them.
 */
import 'server-only';
import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { daySeries, project, projectionText, ratePerDay, PROJECTION_WINDOW_DAYS, type DaySeries, type Projection } from './projection';
import { noRequestConditions, requestsByCohort, requestTables, type CohortRequests } from './requests';

export type IdleUser = { accountId: string; accountLabel: string; userName: string; owner: string | null; category: string };

export type CohortCampaign = {
  cohort: string;
  deadline: Date;
  categories: string[];
  inScope: number;
  enrolled: number;
  remaining: number;
  series: DaySeries;
  rate7: number;
  rate14: number;
  projection: Projection;
  projectionText: string;
  /** In scope, not compliant, no device, never opened an enrollment, nothing asked for. */
  idleCount: number;
  /** The first of them by account and name, at most the limit asked for. */
  idle: IdleUser[];
  requests: CohortRequests;
};

export type Campaign = {
  generatedAt: Date;
  cohorts: CohortCampaign[];
  /** Request tables the "done nothing yet" lists could not check (their part of issue 15 is not installed). */
  idleUnchecked: string[];
};

export type CampaignOptions = {
  now?: Date;
  idleLimit?: number;
  emailTagKey: string;
  accounts: readonly { id: string; label: string }[];
  /** For tests: the request tables to read, instead of those the database has. */
  requestTables?: Set<string>;
};

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

/**
 * The enable date that made an enrolled user compliant: the `min_devices`-th earliest of their devices of an
 * allowed type (a category asking for a backup is met by the second). Null when the inventory has no date for it.
 */
const enrolledAt = sql`(SELECT max(x.at) FROM (
    SELECT (d ->> 'enabledAt')::timestamptz AS at FROM jsonb_array_elements(u.devices) d
    WHERE c.allowed_device_types ? (d ->> 'type') AND d ->> 'enabledAt' IS NOT NULL
    ORDER BY 1 LIMIT greatest(f.min_devices, 1)) x)`;

/** Every figure of every cohort that has a deadline (the categories' cohorts; users of no category are in none). */
export async function readCampaign(db: Db, options: CampaignOptions): Promise<Campaign> {
  const now = options.now ?? new Date();
  const idleLimit = options.idleLimit ?? 100;
  const tables = options.requestTables ?? (await requestTables(db));
  const { conditions, unchecked } = noRequestConditions(tables);
  const noRequest = conditions.length ? sql` AND ${sql.join(conditions, sql` AND `)}` : sql``;
  const idleWhere = sql`f.in_scope AND NOT f.compliant AND u.mfa_state = 'none'
    AND NOT EXISTS (SELECT 1 FROM enrollment_events e WHERE e.account_id = u.account_id AND e.user_name = u.user_name)${noRequest}`;

  const [cohortRows, countRows, dayRows, idleCounts, idleRows] = await Promise.all([
    db.execute(sql`SELECT cohort, min(deadline) AS deadline, json_agg(name ORDER BY position, id) AS categories
      FROM program_categories GROUP BY cohort ORDER BY min(deadline), cohort`),
    db.execute(sql`SELECT c.cohort, count(*) FILTER (WHERE f.in_scope)::int AS in_scope,
        count(*) FILTER (WHERE f.in_scope AND f.compliant)::int AS compliant
      FROM program_user_verdicts f JOIN program_categories c ON c.id = f.category_id GROUP BY c.cohort`),
    db.execute(sql`SELECT cohort, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM (
        SELECT c.cohort, ${enrolledAt} AS at
        FROM program_user_verdicts f JOIN program_categories c ON c.id = f.category_id
        JOIN inventory_users u ON u.account_id = f.account_id AND u.user_name = f.user_name
        WHERE f.in_scope AND f.compliant) e
      GROUP BY 1, 2`),
    db.execute(sql`SELECT c.cohort, count(*)::int AS n
      FROM program_user_verdicts f JOIN program_categories c ON c.id = f.category_id
      JOIN inventory_users u ON u.account_id = f.account_id AND u.user_name = f.user_name
      WHERE ${idleWhere} GROUP BY 1`),
    db.execute(sql`SELECT * FROM (
        SELECT c.cohort, c.name AS category, u.account_id, u.user_name, f.tags ->> ${options.emailTagKey}::text AS owner,
          row_number() OVER (PARTITION BY c.cohort ORDER BY u.account_id, u.user_name) AS rank
        FROM program_user_verdicts f JOIN program_categories c ON c.id = f.category_id
        JOIN inventory_users u ON u.account_id = f.account_id AND u.user_name = f.user_name
        WHERE ${idleWhere}) ranked
      WHERE rank <= ${idleLimit} ORDER BY cohort, rank`),
  ]);

  const cohorts = rowsOf<{ cohort: string; deadline: Date | string; categories: string[] }>(cohortRows);
  const counts = new Map(rowsOf<{ cohort: string; in_scope: number; compliant: number }>(countRows).map((r) => [r.cohort, r]));
  const days = rowsOf<{ cohort: string; day: string | null; n: number }>(dayRows);
  const idleN = new Map(rowsOf<{ cohort: string; n: number }>(idleCounts).map((r) => [r.cohort, Number(r.n)]));
  const idle = rowsOf<{ cohort: string; category: string; account_id: string; user_name: string; owner: string | null }>(idleRows);
  const requests = await requestsByCohort(
    db,
    cohorts.map((c) => c.cohort),
    tables,
  );
  const label = (id: string) => options.accounts.find((a) => a.id === id)?.label ?? id;

  return {
    generatedAt: now,
    idleUnchecked: unchecked,
    cohorts: cohorts.map((c): CohortCampaign => {
      const n = counts.get(c.cohort);
      const inScope = Number(n?.in_scope ?? 0);
      const enrolled = Number(n?.compliant ?? 0);
      const mine = days.filter((d) => d.cohort === c.cohort);
      const series = daySeries(
        mine.filter((d) => d.day !== null).map((d) => ({ day: d.day!, enrolled: Number(d.n) })),
        mine.filter((d) => d.day === null).reduce((s, d) => s + Number(d.n), 0),
        now,
      );
      const deadline = new Date(c.deadline);
      const rate14 = ratePerDay(series, PROJECTION_WINDOW_DAYS, now);
      const projection = project(inScope - enrolled, rate14, deadline, now);
      return {
        cohort: c.cohort,
        deadline,
        categories: c.categories,
        inScope,
        enrolled,
        remaining: inScope - enrolled,
        series,
        rate7: ratePerDay(series, 7, now),
        rate14,
        projection,
        projectionText: projectionText(projection),
        idleCount: idleN.get(c.cohort) ?? 0,
        idle: idle
          .filter((r) => r.cohort === c.cohort)
          .map((r) => ({ accountId: r.account_id, accountLabel: label(r.account_id), userName: r.user_name, owner: r.owner?.trim() || null, category: r.category })),
        requests: requests.get(c.cohort)!,
      };
    }),
  };
}
