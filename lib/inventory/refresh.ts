import 'server-only';
import { getEnv } from '@/lib/env';
import { getDb, type Db } from '@/lib/db/client';
import { classifyAwsError } from '@/lib/aws/errors';
import { accountCredentials } from '@/lib/aws/clients';
import { managedAccountIds } from '@/lib/accounts/registry';
import { syncManagedAccounts } from '@/lib/accounts/discovery';
import { recordReachability } from '@/lib/accounts/store';
import { recordAudit } from '@/lib/audit/log';
import { metrics } from '@/lib/ops/metrics';
import { holdLease, isDraining, trackWork } from '@/lib/ops/lifecycle';
import { countCalls, type CallCounts } from '@/lib/aws/inventory-sources';
import { inventoryUsers, programDecisions } from '@/lib/db/schema';
import { loadCategories } from '@/lib/program/member';
import type { UserDecision } from '@/lib/program/resolve';
import { count, eq } from 'drizzle-orm';
import pLimit from 'p-limit';
import type { ClassifiedUser } from './classify';
import { collectAccount, type CollectOptions, type CollectProgram } from './collect';
import { collectionOrder } from './collection-order';
import { flagRulesFrom } from './flag-rules';
import { acquireRun, carryOverAccounts, expireAbandonedRuns, finishRun, heartbeat, interruptedRun, programFingerprint, readLatestRuns, readRun, readRunAccounts, recordAccountFailure, releaseRun, type InventoryRun, type RunProgress, type RunStatus, type RunTrigger } from './runs';
import { computeTotals, writeSnapshot } from './totals';
import { reconcileUserWindowsQuietly } from '@/lib/windows/new-users';
import { batchWriter } from './batch-writer';
import { finishAccount, recentlyVerifiedUsers, storeUsers } from './store';
import { log, withJobContext } from '@/lib/log';

/** Batches of rows (and account ends) written at once, beside the pool's IAM calls. */
const STORE_CONCURRENCY = 2;

/** How often a running collection refreshes its lease; well inside LEASE_STALE_MS. */
export const HEARTBEAT_MS = 20_000;

export type StartResult = { started: true; runId: number } | { started: false; runningRunId: number };

export type RefreshOptions = Pick<CollectOptions, 'pageSize' | 'reportPolling' | 'listAllDevices' | 'flagRules'> & {
  /** Only these managed accounts (default: all). */
  accountIds?: string[];
  /** Accounts collected at once (default MFA_INVENTORY_CONCURRENCY); each makes one IAM call at a time. */
  accountConcurrency?: number;
};

// Collections running in this process, so that tests, the benchmark and shutdown can await them.
const running = new Map<number, Promise<void>>();

/**
 * Starts a collection of every managed account unless one is already running (in any instance sharing the
 * database). Returns at once; the collection continues in the background of this process and reports
 * progress on its run row (getRun).
 */
export async function startRefresh(input: { actor: string; trigger: RunTrigger }, options: RefreshOptions = {}): Promise<StartResult> {
  const env = getEnv();
  if (isDraining()) throw new Error('the portal is shutting down: start the inventory on another instance or after the restart');
  // Before discovery: the accounts managed so far (the run re-reads the source once it holds the lease).
  const accountIds = options.accountIds ?? (await managedAccountIds());
  const db = await getDb();
  const lease = await acquireRun(db, { ...input, accountsTotal: accountIds.length });
  // Every start is audited here, whoever starts it: an admin, the cron route or the in-process schedule.
  const audited = recordAudit(db, {
    actor: input.actor,
    action: 'inventory.refresh',
    outcome: lease.started ? 'success' : 'failure',
    detail: lease.started ? { trigger: input.trigger, runId: lease.runId, accounts: accountIds.length } : { trigger: input.trigger, reason: 'already-running', runningRunId: lease.runningRunId },
  });
  await audited.catch(async (error: unknown) => {
    // No unaudited collection: give the lease back as failed rather than leave it to expire.
    if (lease.started) await finishRun(db, lease.runId, { status: 'failed', progress: { accountsTotal: accountIds.length, accountsDone: 0, usersSeen: 0, phase: 'failed' }, calls: {}, error: 'audit write failed' }).catch(() => undefined);
    throw error;
  });
  if (!lease.started) return lease;
  const { accountConcurrency = env.MFA_INVENTORY_CONCURRENCY, ...collect } = options;
  // Shutdown waits for the run until its deadline, then gives the lease back (the next run resumes it).
  const dropLease = holdLease(`inventory-run:${lease.runId}`, () => releaseRun(db, lease.runId));
  const runOptions = { pageSize: env.MFA_INVENTORY_PAGE_SIZE, listAllDevices: env.MFA_INVENTORY_LIST_ALL_DEVICES, flagRules: flagRulesFrom(env), rootCredentialsManagement: env.MFA_ROOT_CREDENTIALS_MANAGEMENT, ...collect };
  const job = withJobContext('inventory', () => executeRun(db, { ...input, runId: lease.runId }, options.accountIds, accountConcurrency, runOptions), `inventory-run-${lease.runId}`).finally(() => {
    running.delete(lease.runId);
    dropLease();
  });
  running.set(lease.runId, trackWork(job));
  return lease;
}

export type RunDetail = InventoryRun & { accounts: Awaited<ReturnType<typeof readRunAccounts>> };

/** Resolves when this process's collection `runId` has finished (immediately if it is not running here). */
export async function waitForRun(runId: number): Promise<RunDetail | null> {
  await running.get(runId);
  return getRun(runId);
}

/** A run with its progress, call counts and per-account outcome, for progress polling. */
export async function getRun(runId: number): Promise<RunDetail | null> {
  const db = await getDb();
  // A run whose process died would otherwise show "running" to anyone polling it, forever.
  await expireAbandonedRuns(db);
  const run = await readRun(db, runId);
  return run ? { ...run, accounts: await readRunAccounts(db, runId) } : null;
}

export async function latestRuns(limit = 10): Promise<InventoryRun[]> {
  const db = await getDb();
  await expireAbandonedRuns(db);
  return readLatestRuns(db, Math.max(1, Math.min(limit, 100)));
}

const describeError = (error: unknown) => {
  const { code, name } = classifyAwsError(error);
  return code === 'Unknown' ? `${name}: ${(error as Error)?.message ?? String(error)}` : `${code} (${name})`;
};

/**
 * The program as it stands when the account's collection starts: which users need an exact device list depends on
 * it. A category changed later takes effect on exactness at the next run (the dashboard says when that was).
 */
async function loadProgram(db: Db, accountId: string): Promise<CollectProgram> {
  const [categories, decisions] = await Promise.all([
    loadCategories(db),
    db.select().from(programDecisions).where(eq(programDecisions.accountId, accountId)),
  ]);
  return { categories, decisions: new Map<string, UserDecision>(decisions.map((d) => [d.userName, d])) };
}

/** Users per account in the current inventory, for the order accounts are read in (collectionOrder). */
async function usersByAccount(db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ accountId: inventoryUsers.accountId, users: count() }).from(inventoryUsers).groupBy(inventoryUsers.accountId);
  return new Map(rows.map((r) => [r.accountId, Number(r.users)]));
}

async function executeRun(db: Db, run: { actor: string; trigger: RunTrigger; runId: number }, only: string[] | undefined, concurrency: number, options: CollectOptions): Promise<void> {
  const { runId } = run;
  const calls: CallCounts = {};
  const progress: RunProgress = { accountsTotal: only?.length ?? 0, accountsDone: 0, usersSeen: 0, phase: 'discovering accounts' };
  let accountIds: string[] = only ?? [];
  let lost = false;
  const beat = async () => {
    try {
      if (!(await heartbeat(db, runId, progress, calls))) lost = true;
    } catch {
      // A missed heartbeat is retried on the next tick; the lease tolerates several.
    }
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref?.();
  const stopClock = metrics().inventoryDuration.startTimer();
  let outcome: RunStatus = 'failed';
  const failures: string[] = [];
  try {
    // Discovery first: joined accounts are collected in this run, and left or suspended ones are no longer managed.
    const managed = (await syncManagedAccounts(db)).map((a) => a.id);
    accountIds = only ?? managed;
    progress.accountsTotal = accountIds.length;
    progress.phase = 'collecting';
    progress.programFingerprint = await programFingerprint(db);
    // A run that was interrupted (process killed, lease lost) is continued: its finished accounts are kept as they
    // were stored, and only the others are read.
    const resumed = await interruptedRun(db, runId, progress.programFingerprint);
    const carried = (resumed?.done ?? []).filter((a) => accountIds.includes(a.accountId));
    if (resumed && carried.length > 0) {
      await carryOverAccounts(db, runId, carried);
      progress.resumedFrom = resumed.runId;
      progress.accountsDone = carried.length;
      progress.usersSeen = carried.reduce((n, a) => n + a.users, 0);
    }
    const carriedIds = new Set(carried.map((a) => a.accountId));
    // An account's rows are written batch by batch while its collection goes on (collectAccount's onUsers), and its
    // last batch and its end outside its pool slot: the slot goes on to the next account's IAM calls at once (the
    // pool is the bound on calls in flight, and a database write makes none).
    const stores: Promise<void>[] = [];
    const storeSlot = pLimit(STORE_CONCURRENCY);
    let storeError: unknown;
    const failed = async (accountId: string, error: unknown) => {
      failures.push(accountId);
      await recordAccountFailure(db, runId, accountId, describeError(error));
    };
    const done = () => {
      progress.accountsDone++;
      void beat();
    };
    // Taken over by another instance: it owns the inventory now; writing would race it.
    const requireLease = async () => {
      if (lost || !(await heartbeat(db, runId, progress, calls))) {
        lost = true;
        throw new Error('lease lost');
      }
    };
    const todo = collectionOrder(accountIds.filter((id) => !carriedIds.has(id)), await usersByAccount(db));
    await countCalls(calls, () =>
      pLimit(concurrency).map(todo, async (accountId) => {
        // Taken over by another instance: the accounts not started are its to read.
        if (lost) return;
        const startedAt = new Date();
        const writer = batchWriter(storeSlot, async (users: ClassifiedUser[], first) => {
          if (first || lost) await requireLease();
          await storeUsers(db, runId, users, startedAt);
        });
        let inv: Awaited<ReturnType<typeof collectAccount>>;
        let reachable: Promise<unknown> = Promise.resolve();
        try {
          // Read while AssumeRole is in flight: the slot is the pool's bound on IAM calls, not on database reads.
          const program = loadProgram(db, accountId);
          program.catch(() => undefined);
          // A member role that cannot be assumed (the StackSet has not reached the account) makes it unreachable,
          // which the pages show as such rather than as an account without users.
          try {
            await accountCredentials(accountId);
          } catch (error) {
            await recordReachability(db, accountId, describeError(error));
            throw error;
          }
          // Written while the account's first IAM calls are in flight (awaited before the account ends).
          reachable = recordReachability(db, accountId, null);
          reachable.catch(() => undefined);
          inv = await collectAccount(accountId, {
            ...options,
            program: await program,
            recheck: (reportAt) => recentlyVerifiedUsers(db, accountId, reportAt),
            onUsers: writer.add,
            onPhase: (phase) => {
              progress.phase = `${accountId}: ${phase}`;
            },
          });
          await reachable;
        } catch (error) {
          await writer.settled();
          await reachable.catch(() => undefined);
          await failed(accountId, error);
          done();
          return;
        }
        const stored = (async () => {
          try {
            await writer.flush();
            await storeSlot(async () => {
              await requireLease();
              await finishAccount(db, runId, inv, inv.userCount, startedAt);
            });
            progress.usersSeen += inv.userCount;
          } catch (error) {
            await failed(accountId, error);
          } finally {
            done();
          }
        })().catch((error: unknown) => {
          storeError ??= error;
        });
        stores.push(stored);
        // Back-pressure: accounts waiting for their last writes stay few, so memory stays bounded.
        if (storeSlot.pendingCount >= concurrency) await stored;
      }),
    );
    await Promise.all(stores);
    if (storeError) throw storeError;
    progress.phase = 'summarising';
    if (lost) throw new Error('lease lost: another instance took over this run');
    // New users past their category's deadline get their window, users now with MFA leave theirs (lib/windows).
    await reconcileUserWindowsQuietly(null, { expire: true });
    await writeSnapshot(db, runId, await computeTotals(db, await managedAccountIds()));
    progress.phase = 'done';
    const status = failures.length === 0 ? 'succeeded' : failures.length === accountIds.length ? 'failed' : 'partial';
    await finishRun(db, runId, { status, progress, calls, error: failures.length ? `accounts failed: ${failures.join(', ')}` : null });
    outcome = status;
    await recordAudit(db, { actor: run.actor, action: 'inventory.run', outcome: status === 'succeeded' ? 'success' : 'failure', detail: { trigger: run.trigger, runId, status, users: progress.usersSeen, failedAccounts: failures } });
  } catch (error) {
    progress.phase = 'failed';
    await finishRun(db, runId, { status: 'failed', progress, calls, error: describeError(error) }).catch(() => undefined);
    await recordAudit(db, { actor: run.actor, action: 'inventory.run', outcome: 'failure', detail: { trigger: run.trigger, runId, status: 'failed', reason: describeError(error) } }).catch(() => undefined);
  } finally {
    clearInterval(timer);
    stopClock({ outcome });
    metrics().inventoryRuns.inc({ outcome });
  }
}

let scheduler: ReturnType<typeof setInterval> | undefined;

/** The optional in-process schedule (MFA_INVENTORY_REFRESH_MINUTES); the lease keeps instances from overlapping. */
export function startInventorySchedule(): void {
  const minutes = getEnv().MFA_INVENTORY_REFRESH_MINUTES;
  if (minutes === 0 || scheduler) return;
  scheduler = setInterval(() => {
    void withJobContext('inventory-schedule', () =>
      startRefresh({ actor: 'scheduler', trigger: 'schedule' }).catch((error: unknown) => log.error({ err: error }, 'inventory: scheduled refresh failed to start')),
    );
  }, minutes * 60_000);
  scheduler.unref?.();
}

/** Shutdown: no further scheduled runs (a run in flight is waited for by the shutdown, lib/ops/shutdown.ts). */
export function stopInventorySchedule(): void {
  clearInterval(scheduler);
  scheduler = undefined;
}
