import 'server-only';
import { and, asc, desc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { exceptionRequests, inventoryUsers, programCategories, programDecisions, type ExceptionRequestRow, type ExceptionRequestStatus } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole, ForbiddenError, hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { formatDate, plural } from '@/lib/format';
import type { UserFilters } from '@/lib/inventory/user-filters';
import { BULK_LIMIT, categoryNames, selectUsers, writeDecision, type UserKey } from './decisions';
import { approvalRefusal, requestProblems, type ExceptionRequestInput, type ExceptionVerdict } from './program-input';
import { notifyRequester } from './exception-notify';
import type { ReminderConfig } from './reminders/config';
import { isUniqueViolation } from '@/lib/db/errors';

/**
 * Exceptions are requested, then approved or rejected by an admin who is not the requester. Only an approval writes
 * the effective decision (program_decisions, or a category's default) with approver = the approving admin's
 * identity. Every act is audited here, by the domain, whoever calls it.
 */

export type RequestTarget = UserKey | { categoryId: number };
const isUser = (t: RequestTarget): t is UserKey => 'userName' in t;
const targetText = (t: { accountId?: string | null; userName?: string | null; categoryId?: number | null }) =>
  t.categoryId != null ? `category:${t.categoryId}` : `${t.accountId}/${t.userName}`;

const ownsUser = (actor: Actor, key: UserKey) => actor.principals.some((p) => p.accountId === key.accountId && p.userName === key.userName);

/** Who may ask: an admin for any user; a member for an IAM user they own (from the session); admin or security for a category. */
function assertMayRequest(actor: Actor, target: RequestTarget) {
  if (isUser(target) ? hasRole(actor.roles, 'admin') || ownsUser(actor, target) : hasRole(actor.roles, 'admin') || hasRole(actor.roles, 'security')) return;
  throw new ForbiddenError(isUser(target) ? 'admin' : 'security', isUser(target) ? 'An exception request for an IAM user you do not own' : 'A category-wide exception request');
}


const PENDING = 'An exception request for it is already waiting for an admin: it is decided first.';

async function insertRequest(db: Db, actor: Actor, target: RequestTarget, input: ExceptionRequestInput, extra: Record<string, unknown> = {}): Promise<ExceptionRequestRow | null> {
  const values = isUser(target) ? { accountId: target.accountId, userName: target.userName } : { categoryId: target.categoryId };
  const [row] = await db
    .insert(exceptionRequests)
    .values({ ...values, justification: input.justification, expiresAt: input.expiresAt, requestedBy: actor.id })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await recordAudit(db, {
    actor: actor.id,
    action: 'program.exception.request',
    target: targetText(row),
    outcome: 'success',
    detail: { requestId: row.id, justification: row.justification, expiresAt: row.expiresAt.toISOString(), ...extra },
  });
  return row;
}

/** One request: for an IAM user (admin, or the member who owns it) or a category (admin or security). */
export async function requestException(actor: Actor, target: RequestTarget, input: ExceptionRequestInput, now = new Date()): Promise<ActionResult<{ id: number }>> {
  assertMayRequest(actor, target);
  const problems = requestProblems(input, now);
  if (problems) return invalid({ reason: problems.reason, expiresAt: problems.expiresAt }, 'Check the highlighted fields.');
  const db = await getDb();
  if (isUser(target)) {
    const [user] = await db.select({ n: inventoryUsers.userName }).from(inventoryUsers).where(and(eq(inventoryUsers.accountId, target.accountId), eq(inventoryUsers.userName, target.userName)));
    if (!user) return fail('NotFound', `${target.userName} is not in the inventory of account ${target.accountId} yet. Refresh the inventory, then try again.`);
  } else {
    const [category] = await db.select({ id: programCategories.id }).from(programCategories).where(eq(programCategories.id, target.categoryId));
    if (!category) return fail('NotFound', 'That category no longer exists. Reload the page.');
  }
  try {
    const row = await db.transaction((tx) => insertRequest(tx as unknown as Db, actor, target, input));
    if (!row) return fail('Pending', PENDING);
    return ok({ id: row.id }, `Exception requested until ${formatDate(row.expiresAt)}: another admin approves or rejects it (Exceptions, pending requests).`);
  } catch (error) {
    if (isUniqueViolation(error)) return fail('Pending', PENDING);
    throw error;
  }
}

/**
 * One request per user the filters select (the bulk page), each its own queue entry; users with a request already
 * pending are skipped. `expected` is the count the admin confirmed, as for a bulk decision.
 */
export async function bulkRequestException(actor: Actor, filters: Partial<UserFilters>, input: ExceptionRequestInput, expected: number): Promise<ActionResult<{ requested: number; skipped: number }>> {
  assertRole(actor.roles, 'admin', 'bulk exception requests');
  const problems = requestProblems(input, new Date());
  if (problems) return invalid({ reason: problems.reason, expiresAt: problems.expiresAt }, 'Check the highlighted fields.');
  const keys = await selectUsers(actor, filters);
  if (keys.length > BULK_LIMIT) return fail('TooMany', `These filters select more than ${BULK_LIMIT.toLocaleString('en')} users. Narrow them and request in parts.`);
  if (keys.length === 0) return fail('Empty', 'These filters select no users.');
  if (keys.length !== expected) return fail('Changed', `The filters now select ${keys.length} users, not the ${expected} you confirmed. Review the list again.`);
  const db = await getDb();
  const bulkId = `bulk-${Date.now().toString(36)}`;
  return db.transaction(async (tx) => {
    let requested = 0;
    for (const key of keys) if (await insertRequest(tx as unknown as Db, actor, key, input, { bulkId })) requested++;
    const skipped = keys.length - requested;
    return ok({ requested, skipped }, `${plural(requested, 'exception request')} sent to the queue${skipped ? `; ${skipped} already had one pending` : ''}. Another admin approves or rejects each.`);
  });
}

/** The requester takes back a request still pending. */
export async function withdrawExceptionRequest(actor: Actor, id: number): Promise<ActionResult<undefined>> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(exceptionRequests).where(eq(exceptionRequests.id, id)).for('update');
    if (!row || row.requestedBy !== actor.id) return fail('NotFound', 'No such request of yours.');
    if (row.status !== 'pending') return fail('Decided', `This request is already ${row.status}.`);
    await tx.update(exceptionRequests).set({ status: 'withdrawn', decidedBy: actor.id, decidedAt: new Date() }).where(eq(exceptionRequests.id, id));
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.exception.withdraw', target: targetText(row), outcome: 'success', detail: { requestId: id } });
    return ok(undefined, 'Request withdrawn.');
  });
}

/** Writes the approved exception: the user's decision (keeping an admin's category override) or the category's default. */
async function applyApproval(db: Db, actor: Actor, row: ExceptionRequestRow): Promise<Record<string, unknown>> {
  if (row.categoryId !== null) {
    const [before] = await db.select().from(programCategories).where(eq(programCategories.id, row.categoryId)).for('update');
    const set = { defaultDecision: 'exception' as const, reason: row.justification, approver: actor.id, expiresAt: row.expiresAt, updatedAt: new Date(), updatedBy: actor.id };
    await db.update(programCategories).set(set).where(eq(programCategories.id, row.categoryId));
    const view = (c: { defaultDecision: string; reason: string | null; approver: string | null; expiresAt: Date | null }) => ({ defaultDecision: c.defaultDecision, reason: c.reason, approver: c.approver, expiresAt: c.expiresAt?.toISOString() ?? null });
    return { before: before ? view(before) : null, after: view(set) };
  }
  const key = { accountId: row.accountId!, userName: row.userName! };
  const [current] = await db.select({ categoryId: programDecisions.categoryId }).from(programDecisions).where(and(eq(programDecisions.accountId, key.accountId), eq(programDecisions.userName, key.userName)));
  const entry = await writeDecision(db, actor, key, { categoryId: current?.categoryId ?? null, decision: 'exception', reason: row.justification, expiresAt: row.expiresAt, approver: actor.id }, await categoryNames(db), { requestId: row.id });
  if (entry) await recordAudit(db, entry);
  return { decision: entry ? entry.detail : 'unchanged' };
}

/**
 * Approves or rejects a pending request. Refused here (not only hidden on the page) for anyone but an admin who did
 * not ask for it; refusals are audited as denied. An approval whose end date has passed meanwhile is refused.
 */
export async function decideExceptionRequest(
  actor: Actor,
  id: number,
  verdict: ExceptionVerdict,
  opts: { now?: Date; notify?: Partial<ReminderConfig> } = {},
): Promise<ActionResult<{ status: ExceptionRequestStatus }>> {
  assertRole(actor.roles, 'admin', 'exception requests');
  const now = opts.now ?? new Date();
  const db = await getDb();
  const result = await db.transaction(async (tx): Promise<ActionResult<{ status: ExceptionRequestStatus }> & { row?: ExceptionRequestRow }> => {
    const t = tx as unknown as Db;
    const [row] = await t.select().from(exceptionRequests).where(eq(exceptionRequests.id, id)).for('update');
    if (!row) return fail('NotFound', 'That request no longer exists. Reload the page.');
    const refusal = approvalRefusal(actor, row);
    if (refusal) {
      await recordAudit(t, { actor: actor.id, action: verdict.verdict === 'approve' ? 'program.exception.approve' : 'program.exception.reject', target: targetText(row), outcome: 'denied', detail: { requestId: id, reason: refusal } });
      return fail('Refused', refusal);
    }
    if (verdict.verdict === 'approve' && row.expiresAt.getTime() <= now.getTime()) return fail('Ended', 'The requested end date has passed: reject this request, and the requester asks again.');
    if (row.categoryId === null) {
      const [user] = await t.select({ n: inventoryUsers.userName }).from(inventoryUsers).where(and(eq(inventoryUsers.accountId, row.accountId!), eq(inventoryUsers.userName, row.userName!)));
      if (!user && verdict.verdict === 'approve') return fail('NotFound', `${row.userName} is no longer in the inventory: reject the request.`);
    }
    const status = verdict.verdict === 'approve' ? ('approved' as const) : ('rejected' as const);
    const written = status === 'approved' ? await applyApproval(t, actor, row) : {};
    const [decided] = await t.update(exceptionRequests).set({ status, decidedBy: actor.id, decidedAt: now, decisionNote: verdict.note }).where(eq(exceptionRequests.id, id)).returning();
    await recordAudit(t, {
      actor: actor.id,
      action: status === 'approved' ? 'program.exception.approve' : 'program.exception.reject',
      target: targetText(row),
      outcome: 'success',
      detail: { requestId: id, requestedBy: row.requestedBy, note: verdict.note, expiresAt: row.expiresAt.toISOString(), ...written },
    });
    return { ...ok({ status }), row: decided };
  });
  if (result.status !== 'success' || !result.row) return result;
  const told = await notifyRequester(db, actor, result.row, opts.notify);
  const what = result.data.status === 'approved' ? `Approved: the exception runs until ${formatDate(result.row.expiresAt)}` : 'Rejected';
  return ok(result.data, `${what}. ${told}`);
}

export type ExceptionRequestView = ExceptionRequestRow & { categoryName: string | null };

/** The queue (pending, oldest first) or the history of decided requests (newest first). Admins only. */
export async function listExceptionRequests(actor: Actor, which: 'pending' | 'decided' = 'pending', limit = 200): Promise<ExceptionRequestView[]> {
  assertRole(actor.roles, 'admin', 'exception requests');
  const db = await getDb();
  const r = exceptionRequests;
  const pending = eq(r.status, 'pending');
  return db
    .select({ ...getTableColumns(r), categoryName: programCategories.name })
    .from(r)
    .leftJoin(programCategories, eq(programCategories.id, r.categoryId))
    .where(which === 'pending' ? pending : sql`not ${pending}`)
    .orderBy(which === 'pending' ? asc(r.requestedAt) : desc(r.decidedAt), asc(r.id))
    .limit(limit);
}

/** How many requests wait (the nav badge). Zero for anyone but an admin. */
export async function pendingRequestCount(actor: Actor): Promise<number> {
  if (!hasRole(actor.roles, 'admin')) return 0;
  const db = await getDb();
  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(exceptionRequests).where(eq(exceptionRequests.status, 'pending'))) as [{ n: number }];
  return n;
}

/** The latest requests about one IAM user (its owner's page, the admin's user page): the owner or an admin. */
export async function requestsForUser(actor: Actor, key: UserKey, limit = 5): Promise<ExceptionRequestRow[]> {
  if (!hasRole(actor.roles, 'admin') && !ownsUser(actor, key)) throw new ForbiddenError('admin', 'The requests of an IAM user you do not own');
  const db = await getDb();
  const r = exceptionRequests;
  return db.select().from(r).where(and(eq(r.accountId, key.accountId), eq(r.userName, key.userName), isNull(r.categoryId))).orderBy(desc(r.requestedAt), desc(r.id)).limit(limit);
}
