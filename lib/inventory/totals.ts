/** A run's coverage totals (the program applied through the program_users view) and the snapshot that keeps them. */
import 'server-only';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventorySnapshots, programUsers } from '@/lib/db/schema';
import { NO_CATEGORY } from './coverage-view';

/** A run's coverage figures, kept per snapshot for the charts over time. Scope and compliance follow the program. */
export type Totals = {
  consoleUsers: number;
  /** In scope and compliant with the category's device rules. */
  withMfa: number;
  /** In scope and not compliant: the gaps. */
  withoutMfa: number;
  /** Gaps whose only trace of MFA is an unfinished set-up. */
  leftoverOnly: number;
  /** Console users with an exception still in force. */
  exceptions: number;
  /** Console users decided out of scope. */
  outOfScope: number;
  inScope: number;
  coveragePct: number;
  byAccount: Record<string, { consoleUsers: number; inScope: number; withMfa: number }>;
  /** Per enforcement cohort (`(no category)` for users no category selects), for the burndown toward its deadline. */
  byCohort: Record<string, { inScope: number; compliant: number; deadline: string | null }>;
};

/**
 * Coverage over the stored rows of the given accounts (a failed account counts with its previous rows), with the
 * program applied as it stands now (the `program_users` view).
 */
export async function computeTotals(db: Db, accountIds: string[]): Promise<Totals> {
  if (accountIds.length === 0) return totalsOf([]);
  const p = programUsers;
  const rows = await db
    .select({
      accountId: p.accountId,
      cohort: p.cohort,
      // The category's deadline: a user's window (lib/windows) moves their own date, not the cohort's.
      deadline: sql<Date | string | null>`min(${p.categoryDeadline})`,
      consoleUsers: sql<number>`count(*) filter (where ${p.consoleAccess})`.mapWith(Number),
      inScope: sql<number>`count(*) filter (where ${p.inScope})`.mapWith(Number),
      compliant: sql<number>`count(*) filter (where ${p.inScope} and ${p.compliant})`.mapWith(Number),
      leftoverOnly: sql<number>`count(*) filter (where ${p.inScope} and not ${p.compliant} and ${p.mfaState} = 'leftover-only')`.mapWith(Number),
      exceptions: sql<number>`count(*) filter (where ${p.consoleAccess} and ${p.decision} = 'exception' and not ${p.exceptionExpired})`.mapWith(Number),
      outOfScope: sql<number>`count(*) filter (where ${p.consoleAccess} and ${p.decision} = 'out-of-scope')`.mapWith(Number),
    })
    .from(p)
    .where(inArray(p.accountId, accountIds))
    .groupBy(p.accountId, p.cohort);
  return totalsOf(rows);
}

type TotalsRow = {
  accountId: string;
  cohort: string | null;
  deadline: Date | string | null;
  consoleUsers: number;
  inScope: number;
  compliant: number;
  leftoverOnly: number;
  exceptions: number;
  outOfScope: number;
};

/** Sums per-account-and-cohort counts into the snapshot's totals. Exported for tests. */
export function totalsOf(rows: readonly TotalsRow[]): Totals {
  const byAccount: Totals['byAccount'] = {};
  const byCohort: Totals['byCohort'] = {};
  const sum = { consoleUsers: 0, inScope: 0, compliant: 0, leftoverOnly: 0, exceptions: 0, outOfScope: 0 };
  for (const r of rows) {
    const account = (byAccount[r.accountId] ??= { consoleUsers: 0, inScope: 0, withMfa: 0 });
    account.consoleUsers += r.consoleUsers;
    account.inScope += r.inScope;
    account.withMfa += r.compliant;
    const deadline = r.deadline === null ? null : new Date(r.deadline).toISOString();
    const cohort = (byCohort[r.cohort ?? NO_CATEGORY] ??= { inScope: 0, compliant: 0, deadline });
    cohort.inScope += r.inScope;
    cohort.compliant += r.compliant;
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
  }
  return {
    consoleUsers: sum.consoleUsers,
    withMfa: sum.compliant,
    withoutMfa: sum.inScope - sum.compliant,
    leftoverOnly: sum.leftoverOnly,
    exceptions: sum.exceptions,
    outOfScope: sum.outOfScope,
    inScope: sum.inScope,
    coveragePct: sum.inScope === 0 ? 100 : Math.round((sum.compliant / sum.inScope) * 1000) / 10,
    byAccount,
    byCohort,
  };
}

export async function writeSnapshot(db: Db, runId: number, totals: Totals): Promise<void> {
  await db.insert(inventorySnapshots).values({ runId, totals });
}
