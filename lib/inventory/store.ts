import 'server-only';
import { and, desc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventoryAccounts, inventoryRuns, inventorySnapshots, inventoryUsers, programUsers } from '@/lib/db/schema';
import type { ClassifiedUser } from './classify';
import type { AccountInventory } from './collect';
import { NO_CATEGORY } from './coverage-view';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';
export type RunTrigger = 'manual' | 'schedule';
export type RunProgress = {
  accountsTotal: number;
  accountsDone: number;
  usersSeen: number;
  phase: string;
  /** programFingerprint when the run started: which device lists had to be exact depended on that program. */
  programFingerprint?: string;
};
export type InventoryRun = typeof inventoryRuns.$inferSelect & { progress: Partial<RunProgress> };
export type InventoryUserRow = typeof inventoryUsers.$inferSelect;

/**
 * A digest of everything in the program that decides whose device list must be exact (categories' selectors, types,
 * counts, certification, decisions and overrides; deletions change it too). Computed in the database, so the
 * dashboard compares it with the last run's without loading the decisions.
 */
export async function programFingerprint(db: Db): Promise<string> {
  const result = await db.execute(sql`
    SELECT md5(
      coalesce((SELECT string_agg(row_to_json(c)::text, '|' ORDER BY c.id) FROM (
        SELECT id, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, min_devices,
          require_certified_key, expires_at FROM program_categories) c), '')
      || '#' ||
      coalesce((SELECT string_agg(row_to_json(d)::text, '|' ORDER BY d.account_id, d.user_name) FROM (
        SELECT account_id, user_name, category_id, decision, expires_at FROM program_decisions) d), '')
    ) AS fingerprint`);
  const rows = (result as { rows?: { fingerprint: string }[] }).rows ?? (result as unknown as { fingerprint: string }[]);
  return rows[0]!.fingerprint;
}

/** A running row whose heartbeat is older than this is considered abandoned (its process died) and is taken over. */
export const LEASE_STALE_MS = 3 * 60_000;
/** Rows per INSERT: well under PostgreSQL's 65,535 parameters at 17 columns, and few round trips. */
export const INSERT_BATCH = 500;

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

/** Marks running runs whose heartbeat is older than `staleMs` as failed: their process stopped. */
export async function expireAbandonedRuns(db: Db, staleMs = LEASE_STALE_MS): Promise<void> {
  await db
    .update(inventoryRuns)
    .set({ status: 'failed', finishedAt: new Date(), error: 'abandoned: no heartbeat (the process running it stopped)' })
    // The database's clock on both sides: instances' clocks may disagree.
    .where(and(eq(inventoryRuns.status, 'running'), lt(inventoryRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleMs / 1000})`)));
}

/**
 * Takes the lease: fails a running run whose heartbeat is stale, then inserts a new running row. The partial
 * unique index allows one running row, so of two instances racing here exactly one insert succeeds.
 */
export async function acquireRun(
  db: Db,
  input: { actor: string; trigger: RunTrigger; accountsTotal: number },
  staleMs = LEASE_STALE_MS,
): Promise<{ started: true; runId: number } | { started: false; runningRunId: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await expireAbandonedRuns(db, staleMs);
    const inserted = await db
      .insert(inventoryRuns)
      .values({
        status: 'running',
        trigger: input.trigger,
        actor: input.actor,
        progress: { accountsTotal: input.accountsTotal, accountsDone: 0, usersSeen: 0, phase: 'starting' } satisfies RunProgress,
      })
      .onConflictDoNothing()
      .returning({ id: inventoryRuns.id });
    if (inserted[0]) return { started: true, runId: inserted[0].id };
    const [running] = await db.select({ id: inventoryRuns.id }).from(inventoryRuns).where(eq(inventoryRuns.status, 'running'));
    if (running) return { started: false, runningRunId: running.id };
    // The running run finished between our insert and select: try again.
  }
  throw new Error('could not acquire the inventory lease');
}

/** Refreshes the lease and the progress. False when the run is no longer ours (it was taken over). */
export async function heartbeat(db: Db, runId: number, progress?: RunProgress, calls?: Record<string, number>): Promise<boolean> {
  const rows = await db
    .update(inventoryRuns)
    .set({ heartbeatAt: sql`now()`, ...(progress ? { progress } : {}), ...(calls ? { calls: { ...calls } } : {}) })
    .where(and(eq(inventoryRuns.id, runId), eq(inventoryRuns.status, 'running')))
    .returning({ id: inventoryRuns.id });
  return rows.length > 0;
}

export async function finishRun(
  db: Db,
  runId: number,
  outcome: { status: Exclude<RunStatus, 'running'>; progress: RunProgress; calls: Record<string, number>; error?: string | null },
): Promise<void> {
  await db
    .update(inventoryRuns)
    .set({ status: outcome.status, finishedAt: new Date(), progress: outcome.progress, calls: { ...outcome.calls }, error: outcome.error ?? null })
    .where(and(eq(inventoryRuns.id, runId), eq(inventoryRuns.status, 'running')));
}

export async function recordAccountFailure(db: Db, runId: number, accountId: string, error: string): Promise<void> {
  await db.insert(inventoryAccounts).values({ runId, accountId, error }).onConflictDoUpdate({
    target: [inventoryAccounts.runId, inventoryAccounts.accountId],
    set: { error },
  });
}

export function toRow(u: ClassifiedUser, source: InventoryUserRow['source'], runId: number | null, at: Date): typeof inventoryUsers.$inferInsert {
  return {
    accountId: u.accountId,
    userName: u.userName,
    arn: u.arn,
    path: u.path,
    createdAt: u.createdAt,
    consoleAccess: u.consoleAccess,
    passwordLastUsed: u.passwordLastUsed,
    accessKeyLastUsed: u.accessKeyLastUsed,
    tags: u.tags,
    groups: u.groups,
    devices: u.devices,
    leftoverDevices: u.leftoverDevices,
    mfaState: u.mfaState,
    flags: u.flags,
    flagEvidence: u.flagEvidence,
    source,
    runId,
    updatedAt: at,
  };
}

const excluded = (column: string) => sql.raw(`excluded."${column}"`);

/**
 * Replaces one account's users in one transaction: upserts what was seen, deletes what was not. Rows the
 * portal wrote (an enrollment, "verify now") after this account's collection began are newer than what was
 * collected and are left alone, by both the upsert and the delete.
 */
export async function storeAccount(db: Db, runId: number, inv: AccountInventory, collectionStartedAt: Date): Promise<void> {
  const at = new Date();
  await db.transaction(async (tx) => {
    for (let i = 0; i < inv.users.length; i += INSERT_BATCH) {
      const batch = inv.users.slice(i, i + INSERT_BATCH).map((u) => toRow(u, 'inventory', runId, at));
      await tx
        .insert(inventoryUsers)
        .values(batch)
        .onConflictDoUpdate({
          target: [inventoryUsers.accountId, inventoryUsers.userName],
          set: Object.fromEntries(
            (
              [
                ['arn', 'arn'], ['path', 'path'], ['createdAt', 'created_at'], ['consoleAccess', 'console_access'],
                ['passwordLastUsed', 'password_last_used'], ['accessKeyLastUsed', 'access_key_last_used'], ['tags', 'tags'],
                ['groups', 'groups'], ['devices', 'devices'], ['leftoverDevices', 'leftover_devices'], ['mfaState', 'mfa_state'],
                ['flags', 'flags'], ['flagEvidence', 'flag_evidence'], ['source', 'source'], ['runId', 'run_id'], ['updatedAt', 'updated_at'],
              ] as const
            ).map(([key, column]) => [key, excluded(column)]),
          ),
          setWhere: sql`${inventoryUsers.source} = 'inventory' or ${inventoryUsers.updatedAt} < ${collectionStartedAt}`,
        });
    }
    await tx
      .delete(inventoryUsers)
      .where(
        and(
          eq(inventoryUsers.accountId, inv.accountId),
          sql`${inventoryUsers.runId} is distinct from ${runId}`,
          lt(inventoryUsers.updatedAt, collectionStartedAt),
        ),
      );
    const accountRow = {
      alias: inv.alias,
      collectedAt: at,
      credentialReportAt: inv.credentialReportAt,
      rootMfaActive: inv.rootMfaActive,
      rootStatus: inv.rootStatus,
      users: inv.users.length,
      error: null,
      unattributedLeftovers: inv.unattributedLeftovers,
    };
    await tx
      .insert(inventoryAccounts)
      .values({ runId, accountId: inv.accountId, ...accountRow })
      .onConflictDoUpdate({ target: [inventoryAccounts.runId, inventoryAccounts.accountId], set: accountRow });
  });
}

/** Users whose stored row the portal wrote after `since` (its own enrollments and live checks). */
export async function recentlyVerifiedUsers(db: Db, accountId: string, since: Date | null): Promise<Set<string>> {
  const rows = await db
    .select({ userName: inventoryUsers.userName })
    .from(inventoryUsers)
    .where(
      and(
        eq(inventoryUsers.accountId, accountId),
        ne(inventoryUsers.source, 'inventory'),
        ...(since ? [gt(inventoryUsers.updatedAt, since)] : []),
      ),
    );
  return new Set(rows.map((r) => r.userName));
}

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
      deadline: sql<Date | string | null>`min(${p.deadline})`,
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

export async function readRun(db: Db, runId: number): Promise<InventoryRun | null> {
  const [row] = await db.select().from(inventoryRuns).where(eq(inventoryRuns.id, runId));
  return (row as InventoryRun | undefined) ?? null;
}

export async function readLatestRuns(db: Db, limit: number): Promise<InventoryRun[]> {
  return (await db.select().from(inventoryRuns).orderBy(desc(inventoryRuns.id)).limit(limit)) as InventoryRun[];
}

export async function readRunAccounts(db: Db, runId: number) {
  return db.select().from(inventoryAccounts).where(eq(inventoryAccounts.runId, runId));
}

export async function readUserRow(db: Db, accountId: string, userName: string): Promise<InventoryUserRow | null> {
  const [row] = await db
    .select()
    .from(inventoryUsers)
    .where(and(eq(inventoryUsers.accountId, accountId), eq(inventoryUsers.userName, userName)));
  return row ?? null;
}

export async function upsertUserRow(db: Db, row: typeof inventoryUsers.$inferInsert): Promise<InventoryUserRow> {
  const set: Partial<typeof row> = { ...row };
  delete set.accountId;
  delete set.userName;
  const [out] = await db
    .insert(inventoryUsers)
    .values(row)
    .onConflictDoUpdate({ target: [inventoryUsers.accountId, inventoryUsers.userName], set })
    .returning();
  return out!;
}
