/**
 * Pending requests and active graces per cohort, from the request tables of issue 15's other parts: user_windows
 * (extensions asked for, graces running), recovery_requests (lost devices waiting for an admin) and
 * exception_requests (exceptions waiting for a second admin). A table this database does not have yet is reported
 * as not available, with the reason, never as zero.
 */
import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { NO_CATEGORY } from '@/lib/inventory/coverage-view';

export type Figure = { available: true; count: number } | { available: false; reason: string };
export type RequestKind = 'extensions' | 'recoveries' | 'exceptions' | 'graces';
export type CohortRequests = Record<RequestKind, Figure>;

/** Which table each figure reads, what it counts, and the part of issue 15 that adds the table. */
export const REQUEST_SOURCES: Record<RequestKind, { table: string; where: string; label: string; part: string; byCategory?: true }> = {
  extensions: { table: 'user_windows', where: `r.status = 'pending'`, label: 'Extension requests waiting', part: 'more time (§1)' },
  recoveries: { table: 'recovery_requests', where: `r.status = 'reported'`, label: 'Lost-device reports waiting', part: 'lost device (§3)' },
  // A request may be for a whole category (category_id instead of a user): it counts in that category's cohort.
  exceptions: { table: 'exception_requests', where: `r.status = 'pending'`, label: 'Exception requests waiting', part: 'exceptions approved by a person (§4)', byCategory: true },
  graces: { table: 'user_windows', where: `r.kind = 'grace' AND r.status = 'active'`, label: 'Graces running', part: 'lost device (§3)' },
};

export const REQUEST_KINDS = Object.keys(REQUEST_SOURCES) as RequestKind[];

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

/** The request tables this database has (a migration not applied yet, or a branch not merged, leaves one out). */
export async function requestTables(db: Db): Promise<Set<string>> {
  const names = [...new Set(Object.values(REQUEST_SOURCES).map((s) => s.table))];
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname IN (${sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      )})`),
  );
  return new Set(rows.map((r) => r.name));
}

export const notAvailable = (kind: RequestKind): Figure => ({
  available: false,
  reason: `Not available: this portal has no ${REQUEST_SOURCES[kind].table} table yet (${REQUEST_SOURCES[kind].part} is not installed).`,
});

/** Each figure per cohort (users no category selects under NO_CATEGORY), for every cohort in `cohorts`. */
export async function requestsByCohort(db: Db, cohorts: readonly string[], tables?: Set<string>): Promise<Map<string, CohortRequests>> {
  const have = tables ?? (await requestTables(db));
  const out = new Map<string, CohortRequests>();
  const counts = new Map<RequestKind, Map<string, number>>();
  for (const kind of REQUEST_KINDS) {
    const s = REQUEST_SOURCES[kind];
    if (!have.has(s.table)) continue;
    // Table names and conditions are this module's constants, never input.
    const rows = rowsOf<{ cohort: string; n: number }>(
      await db.execute(sql`SELECT coalesce(c.cohort, ${s.byCategory ? sql`rc.cohort, ` : sql``}${NO_CATEGORY}::text) AS cohort, count(*)::int AS n
        FROM ${sql.identifier(s.table)} r
        LEFT JOIN program_user_facts f ON f.account_id = r.account_id AND f.user_name = r.user_name
        LEFT JOIN program_categories c ON c.id = f.category_id
        ${s.byCategory ? sql`LEFT JOIN program_categories rc ON rc.id = r.category_id` : sql``}
        WHERE ${sql.raw(s.where)} GROUP BY 1`),
    );
    counts.set(kind, new Map(rows.map((r) => [r.cohort, Number(r.n)])));
  }
  for (const cohort of cohorts) {
    const figures = {} as CohortRequests;
    for (const kind of REQUEST_KINDS) {
      const c = counts.get(kind);
      figures[kind] = c ? { available: true, count: c.get(cohort) ?? 0 } : notAvailable(kind);
    }
    out.set(cohort, figures);
  }
  return out;
}

/**
 * `NOT EXISTS` conditions for "asked for nothing": no row about the user (`u`) in any request table this database
 * has, whatever its status. The tables it could not check are returned, so the page says what the list may include.
 */
export function noRequestConditions(have: Set<string>): { conditions: SQL[]; unchecked: string[] } {
  const tables = [...new Set(Object.values(REQUEST_SOURCES).map((s) => s.table))];
  return {
    conditions: tables
      .filter((t) => have.has(t))
      .map((t) => sql`NOT EXISTS (SELECT 1 FROM ${sql.identifier(t)} r WHERE r.account_id = u.account_id AND r.user_name = u.user_name)`),
    unchecked: tables.filter((t) => !have.has(t)),
  };
}

/** Each figure over the whole portal (every cohort, and requests about users no category selects). */
export async function requestTotals(db: Db, tables?: Set<string>): Promise<CohortRequests> {
  const have = tables ?? (await requestTables(db));
  const out = {} as CohortRequests;
  for (const kind of REQUEST_KINDS) {
    const s = REQUEST_SOURCES[kind];
    if (!have.has(s.table)) {
      out[kind] = notAvailable(kind);
      continue;
    }
    const [row] = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM ${sql.identifier(s.table)} r WHERE ${sql.raw(s.where)}`));
    out[kind] = { available: true, count: Number(row?.n ?? 0) };
  }
  return out;
}
