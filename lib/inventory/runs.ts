/** Inventory runs: the lease (one running run across instances), heartbeat, progress, outcome, and reading them back. */
import 'server-only';
import { and, desc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventoryAccounts, inventoryRuns } from '@/lib/db/schema';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';
export type RunTrigger = 'manual' | 'schedule';
export type RunProgress = {
  accountsTotal: number;
  accountsDone: number;
  usersSeen: number;
  phase: string;
  /** programFingerprint when the run started: which device lists had to be exact depended on that program. */
  programFingerprint?: string;
  /** The interrupted run this one continued: its finished accounts were carried over, not read again. */
  resumedFrom?: number;
};
export type InventoryRun = typeof inventoryRuns.$inferSelect & { progress: Partial<RunProgress> };

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

/**
 * Gives the lease of a run this process is abandoning (shutdown) back at once: the run ends failed, so the next run
 * (on any instance) starts without waiting LEASE_STALE_MS and resumes the accounts it finished (interruptedRun).
 */
export async function releaseRun(db: Db, runId: number): Promise<void> {
  await db
    .update(inventoryRuns)
    .set({ status: 'failed', finishedAt: new Date(), error: 'interrupted: the portal instance running it shut down' })
    .where(and(eq(inventoryRuns.id, runId), eq(inventoryRuns.status, 'running')));
}

export async function recordAccountFailure(db: Db, runId: number, accountId: string, error: string): Promise<void> {
  await db.insert(inventoryAccounts).values({ runId, accountId, error }).onConflictDoUpdate({
    target: [inventoryAccounts.runId, inventoryAccounts.accountId],
    set: { error },
  });
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

/** An interrupted run older than this is not resumed: its accounts are read again. */
export const RESUME_WITHIN_MS = 4 * 3600_000;

export type AccountOutcome = typeof inventoryAccounts.$inferSelect;

/**
 * The accounts the run before `runId` finished, when that run was interrupted (it ended `failed`: its process died
 * or lost its lease, or it stopped on an error) within RESUME_WITHIN_MS and under the same program (which users
 * needed an exact device list depended on it). Null when there is nothing to resume.
 */
export async function interruptedRun(db: Db, runId: number, fingerprint: string): Promise<{ runId: number; done: AccountOutcome[] } | null> {
  const [previous] = await db
    .select()
    .from(inventoryRuns)
    // The database's clock, as for the lease.
    .where(and(lt(inventoryRuns.id, runId), sql`${inventoryRuns.startedAt} > now() - make_interval(secs => ${RESUME_WITHIN_MS / 1000})`))
    .orderBy(desc(inventoryRuns.id))
    .limit(1);
  if (!previous || previous.status !== 'failed') return null;
  if ((previous.progress as Partial<RunProgress>).programFingerprint !== fingerprint) return null;
  const done = await db
    .select()
    .from(inventoryAccounts)
    .where(and(eq(inventoryAccounts.runId, previous.id), isNull(inventoryAccounts.error), isNotNull(inventoryAccounts.collectedAt)));
  return { runId: previous.id, done };
}

/** Records accounts an interrupted run finished as this run's too, so that a run interrupted again can resume them. */
export async function carryOverAccounts(db: Db, runId: number, done: AccountOutcome[]): Promise<void> {
  if (done.length === 0) return;
  await db
    .insert(inventoryAccounts)
    .values(done.map((a) => ({ ...a, runId })))
    .onConflictDoNothing();
}
