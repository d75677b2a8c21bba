import 'server-only';
import { and, eq, gt, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { programCategories, programUsers, userWindows } from '@/lib/db/schema';
import { classifyAwsError } from '@/lib/aws/errors';
import { log } from '@/lib/log';
import { closeWindowsOnEnrollment, expireWindows, openWindow, SYSTEM_ACTOR } from './apply';
import { startOfDayUtc } from './policy';

/*
 * New users get a window (issue 15 §2), as Google Workspace gives new users an enrollment period: an IAM user created
 * after its category's deadline gets `newUserWindowDays` days from its creation (ending 00:00 UTC of the day, at most
 * creation + N days), opened by the portal itself (SYSTEM_ACTOR, audited) when it first sees the user (an inventory
 * run, an IAM event), only while that end is ahead and the user has no MFA, and only once per user.
 */

const DAY = 86_400_000;
type Ref = { accountId: string; userName: string };
export type WindowSweep = { opened: number; closed: number; failures: { accountId: string; userName: string; message: string }[] };

/** Pure: the new-user window's end, or null when the user gets none. */
export function newUserWindowEnd(u: { createdAt: Date | null; categoryDeadline: Date | null; days: number }, now: Date): Date | null {
  if (!u.createdAt || !u.categoryDeadline || u.days <= 0 || u.createdAt.getTime() <= u.categoryDeadline.getTime()) return null;
  const end = startOfDayUtc(new Date(u.createdAt.getTime() + u.days * DAY));
  return end.getTime() > now.getTime() && end.getTime() > u.categoryDeadline.getTime() ? end : null;
}

const refsWhere = (refs: readonly Ref[] | null, t: typeof programUsers) => (refs ? or(...refs.map((r) => and(eq(t.accountId, r.accountId), eq(t.userName, r.userName)))) : undefined);

/**
 * Opens the new-user windows due (all users, or only `refs`), and closes the windows of users who now have MFA
 * ('enrolled'). Failures are counted, not thrown: the next run or event retries.
 */
export async function reconcileUserWindows(refs: readonly Ref[] | null = null, now = new Date()): Promise<WindowSweep> {
  if (refs && refs.length === 0) return { opened: 0, closed: 0, failures: [] };
  const db = await getDb();
  const p = programUsers;
  const c = programCategories;
  const everNewUser = sql`exists (select 1 from ${userWindows} w where w.account_id = ${p.accountId} and w.user_name = ${p.userName} and w.kind = 'new-user')`;
  const [candidates, enrolled] = await Promise.all([
    db
      .select({ accountId: p.accountId, userName: p.userName, createdAt: p.createdAt, categoryDeadline: p.categoryDeadline, days: c.newUserWindowDays, category: c.name })
      .from(p)
      .innerJoin(c, eq(c.id, p.categoryId))
      .where(and(refsWhere(refs, p), gt(c.newUserWindowDays, 0), isNotNull(p.createdAt), gt(p.createdAt, p.categoryDeadline), ne(p.mfaState, 'enabled'), ne(p.decision, 'out-of-scope'), sql`${p.windowId} is null`, sql`not ${everNewUser}`)),
    db
      .select({ accountId: p.accountId, userName: p.userName })
      .from(p)
      .where(and(refsWhere(refs, p), eq(p.mfaState, 'enabled'), isNotNull(p.windowId), inArray(p.windowKind, ['extension', 'new-user', 'grace']))),
  ]);
  const result: WindowSweep = { opened: 0, closed: 0, failures: [] };
  const failed = (r: Ref, message: string) => result.failures.push({ accountId: r.accountId, userName: r.userName, message });
  for (const u of candidates) {
    const end = newUserWindowEnd({ createdAt: u.createdAt, categoryDeadline: u.categoryDeadline, days: u.days }, now);
    if (!end) continue;
    const reason = `New IAM user (created ${u.createdAt!.toISOString()} after the ${u.category} deadline): ${u.days} days from creation`;
    const r = await openWindow(SYSTEM_ACTOR, { accountId: u.accountId, userName: u.userName, kind: 'new-user', endsAt: end, reason, requestedBy: SYSTEM_ACTOR.id });
    if (r.status === 'success') result.opened++;
    else if (r.status === 'error') failed(u, r.message);
  }
  for (const u of enrolled) {
    const r = await closeWindowsOnEnrollment(u.accountId, u.userName);
    if (r.status === 'success' && r.data.closed) result.closed++;
    else if (r.status === 'error') failed(u, r.message);
  }
  return result;
}

/** For callers that must not fail because of a window (the inventory run, the event consumer): logs instead. */
export async function reconcileUserWindowsQuietly(refs: readonly Ref[] | null = null, opts: { expire?: boolean } = {}): Promise<WindowSweep | null> {
  try {
    // After an inventory run also the expiry job's work, for installations without the scheduler (/api/cron/windows).
    if (opts.expire) await expireWindows();
    const r = await reconcileUserWindows(refs);
    if (r.failures.length) log.warn({ failures: r.failures.length }, 'windows: some windows could not be opened or closed; the next run retries');
    return r;
  } catch (error) {
    if (classifyAwsError(error).code === 'Unknown') throw error;
    log.warn({ error: (error as Error).message }, 'windows: reconciling user windows failed; the next run retries');
    return null;
  }
}
