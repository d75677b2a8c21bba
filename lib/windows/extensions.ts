import 'server-only';
import { and, eq, inArray, or } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { programCategories, programUsers, userWindows } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import type { Actor } from '@/lib/auth/types';
import { assertRole } from '@/lib/auth/roles';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { formatDateTimeUtc } from '@/lib/format';
import { notYourUser, ownPrincipal, type PrincipalRef } from '@/lib/enrollment/ownership';
import { openWindowFor } from './apply';
import { endOfDayUtc } from './policy';

/*
 * More time, within limits (issue 15 §1). A member asks for N more days for one of their IAM users. The new end is
 * 00:00 UTC of the day N days after their current deadline (or after today, when that has passed). Within the
 * category's limits (the end at most `extensionMaxDays` after the category deadline, fewer than `extensionMaxCount`
 * extensions granted before) it is granted at once; otherwise it waits as a pending request for an admin who is not
 * the requester.
 */

const DAY = 86_400_000;
export const MAX_REQUEST_DAYS = 365;

export type ExtensionLimits = { maxDays: number; maxCount: number };
/** Extensions granted for the user so far (active or ended; not pending, not rejected). */
export async function extensionsUsed(db: Db, accountId: string, userName: string): Promise<number> {
  const rows = await db
    .select({ id: userWindows.id })
    .from(userWindows)
    .where(and(eq(userWindows.accountId, accountId), eq(userWindows.userName, userName), eq(userWindows.kind, 'extension'), inArray(userWindows.status, ['active', 'ended'])));
  return rows.length;
}

/** Pure: the end a request for `days` more days gives, and whether the category's limits cover it. */
export function extensionOutcome(input: { days: number; categoryDeadline: Date; effectiveDeadline: Date; used: number; limits: ExtensionLimits; now: Date }) {
  const from = Math.max(input.effectiveDeadline.getTime(), input.now.getTime());
  const endsAt = endOfDayUtc(new Date(from + input.days * DAY));
  const latest = endOfDayUtc(new Date(input.categoryDeadline.getTime() + input.limits.maxDays * DAY));
  const withinLimits = input.limits.maxDays > 0 && input.used < input.limits.maxCount && endsAt.getTime() <= latest.getTime();
  return { endsAt, withinLimits, latest };
}

export type ExtensionResult = { granted: boolean; endsAt: Date };

export async function requestExtension(actor: Actor, input: { user: PrincipalRef; days: number; reason: string }, now = new Date()): Promise<ActionResult<ExtensionResult>> {
  const principal = await ownPrincipal(actor, input.user, 'window.request');
  if (!principal) return notYourUser;
  const { accountId, userName } = principal;
  const target = `${accountId}/${userName}`;
  const db = await getDb();
  const [user] = await db
    .select({ categoryId: programUsers.categoryId, categoryDeadline: programUsers.categoryDeadline, deadline: programUsers.deadline, inScope: programUsers.inScope, compliant: programUsers.compliant })
    .from(programUsers)
    .where(and(eq(programUsers.accountId, accountId), eq(programUsers.userName, userName)));
  if (!user || user.categoryId === null || !user.categoryDeadline || !user.deadline) return fail('NoDeadline', `${userName} has no deadline to extend.`);
  if (!user.inScope || user.compliant) return fail('NothingToExtend', `${userName} does not need more time: the program asks nothing more of it.`);
  const [pending] = await db.select({ id: userWindows.id }).from(userWindows).where(and(eq(userWindows.accountId, accountId), eq(userWindows.userName, userName), eq(userWindows.status, 'pending')));
  if (pending) return fail('AlreadyPending', 'A request for more time is already waiting for an admin.');
  const [category] = await db.select().from(programCategories).where(eq(programCategories.id, user.categoryId));
  const limits = { maxDays: category?.extensionMaxDays ?? 0, maxCount: category?.extensionMaxCount ?? 0 };
  const used = await extensionsUsed(db, accountId, userName);
  const outcome = extensionOutcome({ days: input.days, categoryDeadline: user.categoryDeadline, effectiveDeadline: user.deadline, used, limits, now });
  const detail = { days: input.days, endsAt: outcome.endsAt.toISOString(), withinLimits: outcome.withinLimits, used, ...limits };
  if (outcome.withinLimits) {
    await recordAudit(db, { actor: actor.id, action: 'window.request', target, outcome: 'success', detail });
    const opened = await openWindowFor(actor, { accountId, userName, kind: 'extension', endsAt: outcome.endsAt, reason: input.reason, requestedBy: actor.id }, null);
    if (opened.status !== 'success') return opened.status === 'error' ? opened : fail('Failed', 'The extension could not be granted.');
    return ok({ granted: true, endsAt: outcome.endsAt }, `Granted: ${userName}’s deadline is now ${formatDateTimeUtc(outcome.endsAt)} (${used + 1} of ${limits.maxCount} extension${limits.maxCount === 1 ? '' : 's'} used).`);
  }
  await db.transaction(async (tx) => {
    await tx.insert(userWindows).values({ accountId, userName, kind: 'extension', status: 'pending', endsAt: outcome.endsAt, days: input.days, reason: input.reason, requestedBy: actor.id, requestedAt: now });
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'window.request', target, outcome: 'success', detail: { ...detail, pending: true } });
  });
  return ok({ granted: false, endsAt: outcome.endsAt }, `Beyond what the category allows at once: your request until ${formatDateTimeUtc(outcome.endsAt)} waits for an admin.`);
}

/** An admin's decision on a pending request; never the requester's own. Approving opens the window (kind extension). */
export async function decideRequest(actor: Actor, input: { id: number; approve: boolean; note: string }): Promise<ActionResult<{ status: 'active' | 'rejected' }>> {
  assertRole(actor.roles, 'admin', 'deciding requests for more time');
  const db = await getDb();
  const [request] = await db.select().from(userWindows).where(and(eq(userWindows.id, input.id), eq(userWindows.status, 'pending')));
  if (!request) return fail('NotPending', 'This request is no longer waiting (someone decided it already).');
  const target = `${request.accountId}/${request.userName}`;
  const self = request.requestedBy === actor.id || (actor.email !== null && request.requestedBy.toLowerCase() === actor.email.toLowerCase());
  if (self || actor.principals.some((p) => p.accountId === request.accountId && p.userName === request.userName)) {
    await recordAudit(db, { actor: actor.id, action: 'window.decide', target, outcome: 'denied', detail: { id: request.id, reason: 'OwnRequest' } });
    return fail('OwnRequest', 'You cannot decide your own request: another admin must.');
  }
  if (!input.approve) {
    const note = input.note.trim();
    if (!note) return fail('NoteRequired', 'Say why the request is rejected.');
    await db.transaction(async (tx) => {
      await tx.update(userWindows).set({ status: 'rejected', decidedBy: actor.id, decidedAt: new Date(), decisionNote: note }).where(and(eq(userWindows.id, request.id), eq(userWindows.status, 'pending')));
      await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'window.decide', target, outcome: 'success', detail: { id: request.id, decision: 'rejected' } });
    });
    return ok({ status: 'rejected' }, `Rejected the request for ${request.userName}.`);
  }
  await recordAudit(db, { actor: actor.id, action: 'window.decide', target, outcome: 'intent', detail: { id: request.id, decision: 'approved', endsAt: request.endsAt.toISOString() } });
  const opened = await openWindowFor(actor, { accountId: request.accountId, userName: request.userName, kind: 'extension', endsAt: request.endsAt, reason: request.reason, requestedBy: request.requestedBy }, request.id);
  await recordAudit(db, { actor: actor.id, action: 'window.decide', target, outcome: opened.status === 'success' ? 'success' : 'failure', detail: { id: request.id, decision: 'approved' } });
  if (opened.status !== 'success') return opened.status === 'error' ? opened : fail('Failed', 'The window could not be opened.');
  return ok({ status: 'active' }, `Approved: ${request.userName}’s deadline is now ${formatDateTimeUtc(request.endsAt)}.`);
}

export type PendingRequest = typeof userWindows.$inferSelect & { categoryName: string | null; categoryDeadline: Date | null };

export async function listPendingRequests(actor: Actor): Promise<PendingRequest[]> {
  assertRole(actor.roles, 'admin', 'requests for more time');
  const db = await getDb();
  const rows = await db.select().from(userWindows).where(eq(userWindows.status, 'pending')).orderBy(userWindows.requestedAt);
  if (!rows.length) return [];
  const users = await db
    .select({ accountId: programUsers.accountId, userName: programUsers.userName, categoryName: programUsers.categoryName, categoryDeadline: programUsers.categoryDeadline })
    .from(programUsers)
    .where(or(...rows.map((r) => and(eq(programUsers.accountId, r.accountId), eq(programUsers.userName, r.userName)))));
  const byKey = new Map(users.map((u) => [`${u.accountId}/${u.userName}`, u]));
  return rows.map((r) => ({ ...r, categoryName: byKey.get(`${r.accountId}/${r.userName}`)?.categoryName ?? null, categoryDeadline: byKey.get(`${r.accountId}/${r.userName}`)?.categoryDeadline ?? null }));
}
