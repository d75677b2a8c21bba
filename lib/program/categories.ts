import 'server-only';
import { isManagedAccount } from '@/lib/accounts/registry';
import { asc, eq, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { inventoryUsers, programCategories, programDecisions, programUsers, type CategoryRow } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { loadCategories } from './member';
import { byPosition, matchCategory, selectorMatches, type ProgramCategory } from './resolve';
import { keptException, type CategoryInput } from './program-input';
import { deadlineImpact, needsEnforceFromNow, pastDeadlineErrors } from './deadline-impact';
import { isUniqueViolation } from '@/lib/db/errors';

/** What the audit log keeps of a category: every field a person set. */
function auditView(c: CategoryRow | (CategoryInput & { position?: number })) {
  return {
    name: c.name,
    position: 'position' in c ? c.position : undefined,
    selector: c.selectorKind === 'tag' ? `tag ${c.selectorKey}=${c.selectorValue}` : `${c.selectorKind} ${c.selectorValue}`,
    defaultDecision: c.defaultDecision,
    allowedDeviceTypes: c.allowedDeviceTypes,
    minDevices: c.minDevices,
    requireCertifiedKey: c.requireCertifiedKey,
    deadline: c.deadline.toISOString(),
    cohort: c.cohort,
    reason: c.reason,
    approver: 'approver' in c ? c.approver : null,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    extensionMaxDays: c.extensionMaxDays ?? 0,
    extensionMaxCount: c.extensionMaxCount ?? 0,
    newUserWindowDays: c.newUserWindowDays ?? 0,
  };
}

export async function listCategories(actor: Actor): Promise<CategoryRow[]> {
  assertRole(actor.roles, 'admin', 'the enrollment program');
  return loadCategories(await getDb());
}

/** Checks that need the database: a managed account, a unique name, one deadline per cohort. */
async function conflicts(db: Db, input: CategoryInput, id: number | null): Promise<Partial<Record<string, string[]>>> {
  const errors: Partial<Record<string, string[]>> = {};
  if (input.selectorKind === 'account' && !(await isManagedAccount(input.selectorValue))) {
    errors.selectorValue = [`Account ${input.selectorValue} is not one of the accounts this portal manages.`];
  }
  const others = (await loadCategories(db)).filter((c) => c.id !== id);
  if (others.some((c) => c.name.toLowerCase() === input.name.toLowerCase())) errors.name = [`A category named “${input.name}” already exists.`];
  const sameCohort = others.find((c) => c.cohort === input.cohort && c.deadline.getTime() !== input.deadline.getTime());
  if (sameCohort) {
    errors.cohort = [
      `Cohort “${input.cohort}” is used by “${sameCohort.name}” with the deadline ${formatDateTimeUtc(sameCohort.deadline)}. Categories sharing a cohort share its deadline: use that deadline or another cohort name.`,
    ];
  }
  return errors;
}

export const CATEGORY_EXCEPTION_NEEDS_APPROVAL =
  'A category-wide exception is requested on the category’s page and approved by another admin in the exceptions queue: save the category first, then request it.';

/** Creates (id null) or updates a category. Security only; audited with before and after. */
export async function saveCategory(
  actor: Actor,
  id: number | null,
  input: CategoryInput,
  opts: { enforceFromNow?: string | null; now?: Date } = {},
): Promise<ActionResult<{ id: number }>> {
  assertRole(actor.roles, 'security', 'categories');
  const db = await getDb();
  const errors = await conflicts(db, input, id);
  if (Object.keys(errors).length) return invalid(errors, 'Check the highlighted fields.');
  const now = opts.now ?? new Date();
  const stored = id === null ? null : ((await loadCategories(db)).find((c) => c.id === id) ?? null);
  const previous = stored?.deadline ?? null;
  // A category-wide exception comes only from an approved request (exception-requests.ts): the form keeps it, never sets it.
  if (input.defaultDecision === 'exception' && stored?.defaultDecision !== 'exception') {
    return invalid({ defaultDecision: [CATEGORY_EXCEPTION_NEEDS_APPROVAL] }, 'Check the highlighted fields.');
  }
  const kept = keptException(input, stored ?? undefined);
  // A past deadline saved on purpose: the confirmation is part of the record.
  const enforcedFromNow = needsEnforceFromNow(input, previous, now);
  if (enforcedFromNow && opts.enforceFromNow !== input.deadline.toISOString()) {
    return invalid(pastDeadlineErrors(input.deadline, await deadlineImpact(actor, input, id, now)), 'The deadline is in the past: confirm “Enforce from now” to save it.');
  }
  const values = { ...input, ...kept, updatedAt: new Date(), updatedBy: actor.id };
  try {
    return await db.transaction(async (tx) => {
      if (id === null) {
        const [{ next }] = (await tx.select({ next: sql<number>`coalesce(max(${programCategories.position}), 0)::int + 1` }).from(programCategories)) as [{ next: number }];
        const [row] = await tx.insert(programCategories).values({ ...values, position: next }).returning();
        await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.category.create', target: `category:${row!.id}`, outcome: 'success', detail: { before: null, after: auditView(row!), ...(enforcedFromNow ? { enforcedFromNow: true } : {}) } });
        return ok({ id: row!.id }, `Category “${row!.name}” created.`);
      }
      const [before] = await tx.select().from(programCategories).where(eq(programCategories.id, id)).for('update');
      if (!before) return fail('NotFound', 'That category no longer exists (someone deleted it). Reload the page.');
      const [after] = await tx.update(programCategories).set(values).where(eq(programCategories.id, id)).returning();
      const deadlineChanged = before.deadline.getTime() !== after!.deadline.getTime();
      await recordAudit(tx as unknown as Db, {
        actor: actor.id,
        action: 'program.category.update',
        target: `category:${id}`,
        outcome: 'success',
        detail: { before: auditView(before), after: auditView(after!), ...(deadlineChanged ? { deadlineChanged: true } : {}), ...(enforcedFromNow ? { enforcedFromNow: true } : {}) },
      });
      return ok({ id }, `Category “${after!.name}” saved.`);
    });
  } catch (error) {
    // Two people saving the same name at once: the unique index decides.
    if (isUniqueViolation(error)) {
      return invalid({ name: [`A category named “${input.name}” already exists.`] }, 'Check the highlighted fields.');
    }
    throw error;
  }
}

/** Deletes a category that no override points at. Its users fall to the next matching category. */
export async function deleteCategory(actor: Actor, id: number): Promise<ActionResult<{ id: number }>> {
  assertRole(actor.roles, 'security', 'categories');
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(programCategories).where(eq(programCategories.id, id)).for('update');
    if (!before) return fail('NotFound', 'That category no longer exists. Reload the page.');
    const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(programDecisions).where(eq(programDecisions.categoryId, id))) as [{ n: number }];
    if (n > 0) {
      return fail('InUse', `${plural(n, 'IAM user')} ${n === 1 ? 'is' : 'are'} assigned to “${before.name}” by an admin’s override. Move them to another category first (IAM users, filter by this category).`);
    }
    await tx.delete(programCategories).where(eq(programCategories.id, id));
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.category.delete', target: `category:${id}`, outcome: 'success', detail: { before: auditView(before), after: null } });
    return ok({ id }, `Category “${before.name}” deleted. Its users now fall to the next matching category.`);
  });
}

/** Moves a category one place up or down in the first-match order. */
export async function moveCategory(actor: Actor, id: number, direction: 'up' | 'down'): Promise<ActionResult<{ order: string[] }>> {
  assertRole(actor.roles, 'security', 'categories');
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Locks every row: two reorders at once must not interleave.
    const rows = (await tx.select().from(programCategories).orderBy(asc(programCategories.position), asc(programCategories.id)).for('update')).sort(byPosition);
    const i = rows.findIndex((r) => r.id === id);
    if (i < 0) return fail('NotFound', 'That category no longer exists. Reload the page.');
    const j = direction === 'up' ? i - 1 : i + 1;
    const before = rows.map((r) => r.name);
    if (j < 0 || j >= rows.length) return ok({ order: before }, `“${rows[i]!.name}” is already ${direction === 'up' ? 'first' : 'last'}.`);
    const order = [...rows];
    [order[i], order[j]] = [order[j]!, order[i]!];
    for (const [k, r] of order.entries()) if (r.position !== k + 1) await tx.update(programCategories).set({ position: k + 1 }).where(eq(programCategories.id, r.id));
    const after = order.map((r) => r.name);
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.category.reorder', target: `category:${id}`, outcome: 'success', detail: { before: { order: before }, after: { order: after } } });
    return ok({ order: after }, `Moved “${rows[i]!.name}” ${direction}.`);
  });
}

export type ProgramPreview = {
  categories: { id: number; name: string; users: number; consoleUsers: number; inScope: number; compliant: number; overrides: number }[];
  unmatched: { users: number; consoleUsers: number; sample: { accountId: string; userName: string; consoleAccess: boolean; path: string; groups: string[] }[] };
  totalUsers: number;
};

/** How many users each category captures (first match, plus overrides) and who matches none. */
export async function previewProgram(actor: Actor, sampleSize = 50): Promise<ProgramPreview> {
  assertRole(actor.roles, 'admin', 'the enrollment program');
  const db = await getDb();
  const v = programUsers;
  const [categories, counts, [unmatched], sample] = await Promise.all([
    loadCategories(db),
    db
      .select({
        id: v.categoryId,
        users: sql<number>`count(*)::int`,
        consoleUsers: sql<number>`count(*) FILTER (WHERE ${v.consoleAccess})::int`,
        inScope: sql<number>`count(*) FILTER (WHERE ${v.inScope})::int`,
        compliant: sql<number>`count(*) FILTER (WHERE ${v.inScope} AND ${v.compliant})::int`,
        overrides: sql<number>`count(*) FILTER (WHERE ${v.categorySource} = 'override')::int`,
      })
      .from(v)
      .groupBy(v.categoryId),
    db.select({ users: sql<number>`count(*)::int`, consoleUsers: sql<number>`count(*) FILTER (WHERE ${v.consoleAccess})::int` }).from(v).where(eq(v.categorySource, 'none')),
    db
      .select({ accountId: v.accountId, userName: v.userName, consoleAccess: v.consoleAccess, path: v.path, groups: v.groups })
      .from(v)
      .where(eq(v.categorySource, 'none'))
      .orderBy(sql`${v.consoleAccess} DESC`, v.accountId, v.userName)
      .limit(sampleSize),
  ]);
  const byId = new Map(counts.map((c) => [c.id, c]));
  return {
    categories: categories.map((c) => ({ users: 0, consoleUsers: 0, inScope: 0, compliant: 0, overrides: 0, ...byId.get(c.id), id: c.id, name: c.name })),
    unmatched: { users: unmatched?.users ?? 0, consoleUsers: unmatched?.consoleUsers ?? 0, sample },
    totalUsers: counts.reduce((a, c) => a + c.users, 0),
  };
}

export type DraftPreview = { matches: number; consoleMatches: number; captured: number; takenByEarlier: { name: string; users: number }[] };

/**
 * What a category being edited would capture, before it is saved: users its selector matches, and how many of
 * them an earlier category takes first. Overrides are ignored (they win regardless of order).
 */
export async function previewDraft(actor: Actor, input: CategoryInput, id: number | null): Promise<DraftPreview> {
  assertRole(actor.roles, 'security', 'categories');
  const db = await getDb();
  const categories = await loadCategories(db);
  const existing = id === null ? undefined : categories.find((c) => c.id === id);
  const position = existing?.position ?? (categories.at(-1)?.position ?? 0) + 1;
  const earlier = categories.filter((c) => c.id !== id && byPosition(c, { position, id: id ?? Number.MAX_SAFE_INTEGER }) < 0);
  const draft = { ...input, ...keptException(input, existing), id: id ?? -1, position } satisfies ProgramCategory;
  const users = await db
    .select({ accountId: inventoryUsers.accountId, path: inventoryUsers.path, tags: inventoryUsers.tags, groups: inventoryUsers.groups, consoleAccess: inventoryUsers.consoleAccess })
    .from(inventoryUsers)
    .where(draft.selectorKind === 'account' ? eq(inventoryUsers.accountId, draft.selectorValue) : undefined);
  let matches = 0;
  let consoleMatches = 0;
  let captured = 0;
  const taken = new Map<string, number>();
  for (const u of users) {
    if (!selectorMatches(draft, u)) continue;
    matches++;
    if (u.consoleAccess) consoleMatches++;
    const first = matchCategory(u, earlier);
    if (first) taken.set(first.name, (taken.get(first.name) ?? 0) + 1);
    else captured++;
  }
  return { matches, consoleMatches, captured, takenByEarlier: [...taken].map(([name, n]) => ({ name, users: n })).sort((a, b) => b.users - a.users) };
}
