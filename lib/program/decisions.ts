import 'server-only';
import { and, asc, eq, lte, sql, type SQL } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { plural } from '@/lib/format';
import { auditLog, inventoryUsers, programCategories, programDecisions, programUsers, type DecisionRow, type ProgramUserRow } from '@/lib/db/schema';
import { recordAudit, type AuditAction } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { allInventoryUsers } from '@/lib/inventory/queries';
import type { UserFilters } from '@/lib/inventory/user-filters';
import { decisionProblems, type DecisionInput } from './program-input';
import { approvalOf, approvalsByTarget } from './exception-notify';

export type UserKey = { accountId: string; userName: string };

/** The most users one bulk decision may change: larger sets are narrowed with filters first. */
export const BULK_LIMIT = 5000;
/** Exceptions ending within this many days are "expiring" on the register. */
export const EXPIRING_DAYS = 30;

function auditView(d: Pick<DecisionRow, 'categoryId' | 'decision' | 'reason' | 'approver' | 'expiresAt'> | null, categoryName?: string | null) {
  if (!d) return null;
  return {
    category: d.categoryId === null ? '(by selector)' : (categoryName ?? `category:${d.categoryId}`),
    decision: d.decision ?? '(category default)',
    reason: d.reason,
    approver: d.approver,
    expiresAt: d.expiresAt?.toISOString() ?? null,
  };
}

const isClear = (input: DecisionInput) => input.categoryId === null && input.decision === null;

/** What writeDecision stores: the form's input, and for an exception the approver (only an approval sets it). */
export type DecisionWrite = DecisionInput & { approver?: string | null };

const actionFor = (input: DecisionInput): AuditAction => (isClear(input) ? 'program.decision.clear' : input.decision === 'exception' ? 'program.exception.set' : 'program.decision.set');

export async function getDecision(actor: Actor, key: UserKey): Promise<DecisionRow | null> {
  assertRole(actor.roles, 'admin', 'decisions');
  const db = await getDb();
  const [row] = await db.select().from(programDecisions).where(and(eq(programDecisions.accountId, key.accountId), eq(programDecisions.userName, key.userName)));
  return row ?? null;
}

/** The user's program row (the view), for the detail page. */
export async function getProgramUser(actor: Actor, key: UserKey): Promise<ProgramUserRow | null> {
  assertRole(actor.roles, 'admin', 'decisions');
  const db = await getDb();
  const [row] = await db.select().from(programUsers).where(and(eq(programUsers.accountId, key.accountId), eq(programUsers.userName, key.userName)));
  return row ?? null;
}

/**
 * Writes (or, when both the category and the decision are left to the program, removes) one user's decision,
 * inside `db` (a transaction for bulk), and audits it with before and after. Null when nothing changed.
 */
export async function writeDecision(db: Db, actor: Actor, key: UserKey, input: DecisionWrite, names: Map<number, string>, extra: Record<string, unknown> = {}) {
  const [before] = await db
    .select()
    .from(programDecisions)
    .where(and(eq(programDecisions.accountId, key.accountId), eq(programDecisions.userName, key.userName)))
    .for('update');
  const beforeView = auditView(before ?? null, before?.categoryId != null ? names.get(before.categoryId) : null);
  const afterView = isClear(input) ? null : auditView({ ...input, approver: input.approver ?? null }, input.categoryId != null ? names.get(input.categoryId) : null);
  if (JSON.stringify(beforeView) === JSON.stringify(afterView)) return null;
  if (isClear(input)) {
    await db.delete(programDecisions).where(and(eq(programDecisions.accountId, key.accountId), eq(programDecisions.userName, key.userName)));
  } else {
    const values = { ...input, approver: input.decision === 'exception' ? (input.approver ?? null) : null, decidedBy: actor.id, decidedAt: new Date() };
    await db
      .insert(programDecisions)
      .values({ ...key, ...values })
      .onConflictDoUpdate({ target: [programDecisions.accountId, programDecisions.userName], set: values });
  }
  return {
    actor: actor.id,
    action: actionFor(input),
    target: `${key.accountId}/${key.userName}`,
    outcome: 'success' as const,
    detail: { before: beforeView, after: afterView, ...extra },
  };
}

const categoryGone = fail('NotFound', 'That category no longer exists. Reload the page and choose again.');

export async function categoryNames(db: Db): Promise<Map<number, string>> {
  return new Map((await db.select({ id: programCategories.id, name: programCategories.name }).from(programCategories)).map((c) => [c.id, c.name]));
}

export const EXCEPTION_NEEDS_APPROVAL = 'An exception is requested, then approved by another admin (Exceptions, pending requests): it is not set directly.';

/**
 * An admin's decision about one inventoried IAM user; audited with before and after. "Required" and "out of scope" are
 * direct; an exception only stays as its approval wrote it (e.g. while the category override changes): a new or
 * changed one is a request (exception-requests.ts).
 */
export async function setDecision(actor: Actor, key: UserKey, input: DecisionInput): Promise<ActionResult<{ changed: boolean }>> {
  assertRole(actor.roles, 'admin', 'decisions');
  const problems = decisionProblems(input, new Date());
  if (problems) return invalid(problems, 'Check the highlighted fields.');
  const db = await getDb();
  let write: DecisionWrite = input;
  if (input.decision === 'exception') {
    const [current] = await db.select().from(programDecisions).where(and(eq(programDecisions.accountId, key.accountId), eq(programDecisions.userName, key.userName)));
    if (!current || !sameException(current, input)) return fail('ApprovalNeeded', EXCEPTION_NEEDS_APPROVAL);
    write = { ...input, approver: current.approver };
  }
  const [user] = await db.select({ n: inventoryUsers.userName }).from(inventoryUsers).where(and(eq(inventoryUsers.accountId, key.accountId), eq(inventoryUsers.userName, key.userName)));
  if (!user) return fail('NotFound', `${key.userName} is not in the inventory of account ${key.accountId}. Refresh the inventory, then try again.`);
  return db.transaction(async (tx) => {
    const names = await categoryNames(tx as unknown as Db);
    if (input.categoryId !== null && !names.has(input.categoryId)) return categoryGone;
    const entry = await writeDecision(tx as unknown as Db, actor, key, write, names);
    if (!entry) return ok({ changed: false }, 'Nothing changed.');
    await recordAudit(tx as unknown as Db, entry);
    return ok({ changed: true }, isClear(input) ? `${key.userName} now follows the program (no override).` : `Decision for ${key.userName} saved.`);
  });
}

/** The same exception (justification and end date) as the stored decision: only its approval may have set it. */
export const sameException = (d: Pick<DecisionRow, 'decision' | 'reason' | 'expiresAt'> | null, input: Pick<DecisionInput, 'decision' | 'reason' | 'expiresAt'>) =>
  d?.decision === 'exception' && input.decision === 'exception' && d.reason === input.reason && d.expiresAt?.getTime() === input.expiresAt?.getTime();

/** Every user the filters select (the users table's filters), for a bulk decision's confirmation. */
export async function selectUsers(actor: Actor, filters: Partial<UserFilters>): Promise<UserKey[]> {
  assertRole(actor.roles, 'admin', 'decisions');
  const keys: UserKey[] = [];
  for await (const rows of allInventoryUsers(actor, filters)) {
    for (const r of rows) keys.push({ accountId: r.accountId, userName: r.userName });
    if (keys.length > BULK_LIMIT) break;
  }
  return keys;
}

/**
 * One decision for every user the filters select. `expected` is the count the admin confirmed: if the set changed
 * since (an inventory run, someone else's decision), nothing is written and the admin looks again.
 */
export async function bulkDecide(actor: Actor, filters: Partial<UserFilters>, input: DecisionInput, expected: number): Promise<ActionResult<{ changed: number; unchanged: number }>> {
  assertRole(actor.roles, 'admin', 'decisions');
  const problems = decisionProblems(input, new Date());
  if (problems) return invalid(problems, 'Check the highlighted fields.');
  if (input.decision === 'exception') return fail('ApprovalNeeded', EXCEPTION_NEEDS_APPROVAL);
  const keys = await selectUsers(actor, filters);
  if (keys.length > BULK_LIMIT) return fail('TooMany', `These filters select more than ${BULK_LIMIT.toLocaleString('en')} users. Narrow them (e.g. by account or tag) and decide in parts.`);
  if (keys.length === 0) return fail('Empty', 'These filters select no users.');
  if (keys.length !== expected) return fail('Changed', `The filters now select ${keys.length} users, not the ${expected} you confirmed (the inventory or other decisions changed). Review the list again.`);
  const db = await getDb();
  const bulkId = `bulk-${Date.now().toString(36)}`;
  return db.transaction(async (tx): Promise<ActionResult<{ changed: number; unchanged: number }>> => {
    const t = tx as unknown as Db;
    const names = await categoryNames(t);
    if (input.categoryId !== null && !names.has(input.categoryId)) return categoryGone;
    const entries = [];
    for (const key of keys) {
      const entry = await writeDecision(t, actor, key, input, names, { bulkId });
      if (entry) entries.push(entry);
    }
    for (let i = 0; i < entries.length; i += 500) {
      await t.insert(auditLog).values(entries.slice(i, i + 500));
    }
    await recordAudit(t, { actor: actor.id, action: 'program.decision.bulk', outcome: 'success', detail: { bulkId, filters, users: keys.length, changed: entries.length, after: auditView(isClear(input) ? null : { ...input, approver: null }) } });
    const changed = entries.length;
    return ok({ changed, unchanged: keys.length - changed }, `Decision applied: ${plural(changed, 'user')} changed${keys.length - changed ? `, ${keys.length - changed} already had it` : ''}.`);
  });
}

export type ExceptionStatus = 'active' | 'expiring' | 'expired' | 'all';

/**
 * The exception register: every user whose decision is an exception (their own or their category's), with the
 * approval from its request record (approvedAt null: approved before requests existed, the approver typed).
 */
export async function listExceptions(actor: Actor, status: ExceptionStatus = 'all'): Promise<(ProgramUserRow & { approvedAt: Date | null })[]> {
  assertRole(actor.roles, 'admin', 'the exception register');
  const db = await getDb();
  const v = programUsers;
  const soon = sql`now() + make_interval(days => ${EXPIRING_DAYS})`;
  const where: SQL[] = [eq(v.decision, 'exception')];
  if (status === 'active') where.push(eq(v.exceptionExpired, false));
  if (status === 'expiring') where.push(eq(v.exceptionExpired, false), lte(v.expiresAt, soon));
  if (status === 'expired') where.push(eq(v.exceptionExpired, true));
  const [rows, approvals] = await Promise.all([db.select().from(v).where(and(...where)).orderBy(asc(v.expiresAt), asc(v.accountId), asc(v.userName)).limit(5000), approvalsByTarget(db)]);
  return rows.map((r) => {
    const a = approvalOf(approvals, r);
    return { ...r, approvedAt: a && a.approvedBy === r.approver ? a.approvedAt : null };
  });
}
