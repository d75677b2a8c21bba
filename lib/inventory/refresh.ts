import 'server-only';
import { getEnv } from '@/lib/env';
import { getDb, type Db } from '@/lib/db/client';
import { classifyAwsError } from '@/lib/aws/errors';
import { recordAudit } from '@/lib/audit/log';
import { countCalls, type CallCounts } from '@/lib/aws/inventory-sources';
import { programDecisions } from '@/lib/db/schema';
import { loadCategories } from '@/lib/program/member';
import type { UserDecision } from '@/lib/program/resolve';
import { eq } from 'drizzle-orm';
import { collectAccount, mapLimit, type CollectOptions, type CollectProgram } from './collect';
import { flagRulesFrom } from './flag-rules';
import {
  acquireRun,
  computeTotals,
  expireAbandonedRuns,
  finishRun,
  heartbeat,
  programFingerprint,
  readLatestRuns,
  readRun,
  readRunAccounts,
  recentlyVerifiedUsers,
  recordAccountFailure,
  storeAccount,
  writeSnapshot,
  type InventoryRun,
  type RunProgress,
  type RunTrigger,
} from './store';

/** Accounts collected at once: enough to overlap their latency, few enough to stay clear of IAM throttling. */
export const ACCOUNT_CONCURRENCY = 3;
/** How often a running collection refreshes its lease; well inside LEASE_STALE_MS. */
export const HEARTBEAT_MS = 20_000;

export type StartResult = { started: true; runId: number } | { started: false; runningRunId: number };

export type RefreshOptions = Pick<CollectOptions, 'pageSize' | 'reportPolling' | 'listAllDevices' | 'flagRules'> & {
  /** Only these managed accounts (default: all). */
  accountIds?: string[];
  /** Accounts collected at once (default ACCOUNT_CONCURRENCY). */
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
  const accountIds = options.accountIds ?? env.MFA_ACCOUNTS.map((a) => a.id);
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
  const { accountConcurrency = ACCOUNT_CONCURRENCY, ...collect } = options;
  const job = executeRun(db, { ...input, runId: lease.runId }, accountIds, accountConcurrency, {
    listAllDevices: env.MFA_INVENTORY_LIST_ALL_DEVICES,
    flagRules: flagRulesFrom(env),
    rootCredentialsManagement: env.MFA_ROOT_CREDENTIALS_MANAGEMENT,
    ...collect,
  }).finally(() =>
    running.delete(lease.runId),
  );
  running.set(lease.runId, job);
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

async function executeRun(db: Db, run: { actor: string; trigger: RunTrigger; runId: number }, accountIds: string[], concurrency: number, options: CollectOptions): Promise<void> {
  const { runId } = run;
  const calls: CallCounts = {};
  const progress: RunProgress = { accountsTotal: accountIds.length, accountsDone: 0, usersSeen: 0, phase: 'collecting' };
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
  const failures: string[] = [];
  try {
    progress.programFingerprint = await programFingerprint(db);
    await countCalls(calls, () =>
      mapLimit(accountIds, concurrency, async (accountId) => {
        const startedAt = new Date();
        try {
          const inv = await collectAccount(accountId, {
            ...options,
            program: await loadProgram(db, accountId),
            recheck: (reportAt) => recentlyVerifiedUsers(db, accountId, reportAt),
            onPhase: (phase) => {
              progress.phase = `${accountId}: ${phase}`;
            },
          });
          // Taken over by another instance: it owns the inventory now; writing would race it.
          if (lost) throw new Error('lease lost');
          await storeAccount(db, runId, inv, startedAt);
          progress.usersSeen += inv.users.length;
        } catch (error) {
          failures.push(accountId);
          await recordAccountFailure(db, runId, accountId, describeError(error));
        } finally {
          progress.accountsDone++;
          void beat();
        }
      }),
    );
    progress.phase = 'summarising';
    if (lost) throw new Error('lease lost: another instance took over this run');
    await writeSnapshot(db, runId, await computeTotals(db, getEnv().MFA_ACCOUNTS.map((a) => a.id)));
    progress.phase = 'done';
    const status = failures.length === 0 ? 'succeeded' : failures.length === accountIds.length ? 'failed' : 'partial';
    await finishRun(db, runId, { status, progress, calls, error: failures.length ? `accounts failed: ${failures.join(', ')}` : null });
    await recordAudit(db, { actor: run.actor, action: 'inventory.run', outcome: status === 'succeeded' ? 'success' : 'failure', detail: { trigger: run.trigger, runId, status, users: progress.usersSeen, failedAccounts: failures } });
  } catch (error) {
    progress.phase = 'failed';
    await finishRun(db, runId, { status: 'failed', progress, calls, error: describeError(error) }).catch(() => undefined);
    await recordAudit(db, { actor: run.actor, action: 'inventory.run', outcome: 'failure', detail: { trigger: run.trigger, runId, status: 'failed', reason: describeError(error) } }).catch(() => undefined);
  } finally {
    clearInterval(timer);
  }
}

let scheduler: ReturnType<typeof setInterval> | undefined;

/** The optional in-process schedule (MFA_INVENTORY_REFRESH_MINUTES); the lease keeps instances from overlapping. */
export function startInventorySchedule(): void {
  const minutes = getEnv().MFA_INVENTORY_REFRESH_MINUTES;
  if (minutes === 0 || scheduler) return;
  scheduler = setInterval(() => {
    startRefresh({ actor: 'scheduler', trigger: 'schedule' }).catch((error) =>
      console.error(`[mfa-portal] scheduled inventory refresh failed to start: ${(error as Error).message}`),
    );
  }, minutes * 60_000);
  scheduler.unref?.();
}
