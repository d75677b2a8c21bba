import 'server-only';
import { and, eq, lte } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { programUsers, userWindows, type WindowEndReason, type WindowKind } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import type { Actor } from '@/lib/auth/types';
import { classifyAwsError } from '@/lib/aws/errors';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { formatDateTimeUtc } from '@/lib/format';
import { isWholeMinute } from './policy';
import { putWindowInIam, releasePolicy, takeWindowOutOfIam, windowPolicyOf, type StepContext } from './steps';
import { repairWindowDrift, type RepairResult } from './repair';
import { isUniqueViolation } from '@/lib/db/errors';

/**
 * The per-user window API (issue 15 §1-§3): open, close, close on enrollment, expire. Every AWS write is audited
 * before and after (steps.ts); user_windows is updated once IAM holds the new state. Callers authorize the person
 * first (an extension's limits, an admin's approval, a recovery's checklist); these functions check only who may act
 * on the user at all: an admin, the portal itself (SYSTEM_ACTOR), or, for an extension, the user's owner.
 */

/** The portal acting on its own (inventory, IAM events, the expiry job): compared by reference, never from a session. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', email: null, name: 'MFA Portal', method: 'oidc', roles: [], principals: [], authTime: 0 }) as Actor;

export type OpenWindowInput = { accountId: string; userName: string; kind: WindowKind; endsAt: Date; reason: string; recoveryId?: number; requestedBy?: string };
export type CloseWindowInput = { accountId: string; userName: string; endReason: WindowEndReason };

const owns = (actor: Actor, accountId: string, userName: string) => actor.principals.some((p) => p.accountId === accountId && p.userName === userName);
const mayOpen = (actor: Actor, i: { accountId: string; userName: string; kind: WindowKind }) =>
  actor === SYSTEM_ACTOR || actor.roles.includes('admin') || (i.kind === 'extension' && owns(actor, i.accountId, i.userName));
const mayClose = (actor: Actor, accountId: string, userName: string) => actor === SYSTEM_ACTOR || actor.roles.includes('admin') || owns(actor, accountId, userName);

const awsMessage = (error: unknown) => {
  const { code, name } = classifyAwsError(error);
  if (code === 'Unknown') throw error;
  return code === 'AccessDenied' ? 'The deploy role may not change this user’s window (is the member stack up to date?).' : code === 'NoSuchEntity' ? 'The IAM user no longer exists.' : `AWS error ${name}.`;
};

class NoLongerPending extends Error {}

export async function openWindow(actor: Actor, input: OpenWindowInput): Promise<ActionResult<{ id: number; endsAt: Date }>> {
  return openWindowFor(actor, input, null);
}

/** openWindow, turning the pending request `pendingId` into the active window (an admin's approval) instead of adding a row. */
export async function openWindowFor(actor: Actor, input: OpenWindowInput, pendingId: number | null): Promise<ActionResult<{ id: number; endsAt: Date }>> {
  const { accountId, userName, kind, endsAt } = input;
  const target = `${accountId}/${userName}`;
  const db = await getDb();
  if (!mayOpen(actor, input)) {
    await recordAudit(db, { actor: actor.id, action: 'window.open', target, outcome: 'denied', detail: { kind } });
    return fail('Forbidden', 'You may not open a window for this IAM user.');
  }
  const reason = input.reason.trim();
  if (Number.isNaN(endsAt.getTime()) || !isWholeMinute(endsAt)) return fail('Invalid', 'A window ends on a whole minute (UTC).');
  if (endsAt.getTime() <= Date.now()) return fail('Invalid', 'A window must end in the future.');
  if (!reason || reason.length > 500) return fail('Invalid', 'Give a reason (at most 500 characters).');
  const [user] = await db
    .select({ categoryDeadline: programUsers.categoryDeadline, windowEndsAt: programUsers.windowEndsAt })
    .from(programUsers)
    .where(and(eq(programUsers.accountId, accountId), eq(programUsers.userName, userName)));
  if (!user) return fail('NotFound', `${userName} is not in the inventory (refresh it first).`);
  // A window never shortens a deadline: it ends after the category's, and not before a window already open.
  const shortens =
    user.categoryDeadline && endsAt.getTime() <= user.categoryDeadline.getTime() ? user.categoryDeadline : user.windowEndsAt && endsAt.getTime() < user.windowEndsAt.getTime() ? user.windowEndsAt : null;
  if (shortens) return fail('NotLater', `The window would end ${formatDateTimeUtc(endsAt)}, not after the user’s deadline ${formatDateTimeUtc(shortens)}: a window never shortens a deadline.`);
  const policy = windowPolicyOf(accountId, endsAt);
  if (!policy) return fail('Invalid', 'MFA_ENFORCEMENT_POLICY_NAME is too long to name window policies after it (IAM allows 128 characters).');
  const ctx: StepContext = { db, actorId: actor.id, accountId, userName, action: 'window.open', detail: { kind, endsAt: endsAt.toISOString(), requestedBy: input.requestedBy ?? actor.id } };
  try {
    await putWindowInIam(ctx, endsAt, policy);
  } catch (error) {
    return fail('Aws', `The window could not be opened: ${awsMessage(error)} The user stays under their deadline.`);
  }
  // The previous window (another end) goes: its policy would deny at its earlier end.
  const previous = user.windowEndsAt && user.windowEndsAt.getTime() !== endsAt.getTime() ? windowPolicyOf(accountId, user.windowEndsAt) : null;
  let leftover: string | null = null;
  if (previous) {
    try {
      await releasePolicy(ctx, previous);
    } catch (error) {
      leftover = awsMessage(error);
    }
  }
  const now = new Date();
  let id: number;
  try {
    id = await db.transaction(async (tx) => {
      await tx
        .update(userWindows)
        .set({ status: 'ended', endReason: 'replaced', endedAt: now })
        .where(and(eq(userWindows.accountId, accountId), eq(userWindows.userName, userName), eq(userWindows.status, 'active')));
      const values = { status: 'active' as const, endsAt, decidedBy: actor.id, decidedAt: now };
      const [row] = pendingId
        ? await tx.update(userWindows).set(values).where(and(eq(userWindows.id, pendingId), eq(userWindows.status, 'pending'))).returning({ id: userWindows.id })
        : await tx
            .insert(userWindows)
            .values({ ...values, accountId, userName, kind, reason, requestedBy: input.requestedBy ?? actor.id, recoveryId: input.recoveryId ?? null })
            .returning({ id: userWindows.id });
      if (!row) throw new NoLongerPending();
      await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'window.open', target, outcome: 'success', detail: { id: row.id, kind, endsAt: endsAt.toISOString(), policy: policy.name, replaced: user.windowEndsAt?.toISOString() ?? null } });
      return row.id;
    });
  } catch (error) {
    // Another open (or decision) for this user committed first: the one-active-window index, or the request it decides
    // is no longer pending. IAM may now carry this call's window too: the windows job's drift repair tidies it.
    if (!isUniqueViolation(error) && !(error instanceof NoLongerPending)) throw error;
    await recordAudit(db, { actor: actor.id, action: 'window.open', target, outcome: 'failure', detail: { kind, endsAt: endsAt.toISOString(), reason: 'concurrent' } });
    return fail('Conflict', 'Another change to this user’s window was saved at the same moment: reload to see which one holds.');
  }
  if (leftover) return fail('Partial', `The window until ${formatDateTimeUtc(endsAt)} is open, but the previous window’s policy could not be detached (${leftover}); the next expiry run retries.`);
  return ok({ id, endsAt }, `Window open until ${formatDateTimeUtc(endsAt)}.`);
}

export async function closeWindow(actor: Actor, input: CloseWindowInput): Promise<ActionResult<{ closed: boolean }>> {
  const { accountId, userName, endReason } = input;
  const target = `${accountId}/${userName}`;
  const db = await getDb();
  if (!mayClose(actor, accountId, userName)) {
    await recordAudit(db, { actor: actor.id, action: 'window.close', target, outcome: 'denied', detail: { endReason } });
    return fail('Forbidden', 'You may not close this IAM user’s window.');
  }
  const [active] = await db.select().from(userWindows).where(and(eq(userWindows.accountId, accountId), eq(userWindows.userName, userName), eq(userWindows.status, 'active')));
  if (!active) return ok({ closed: false }, 'No window is open.');
  const ctx: StepContext = { db, actorId: actor.id, accountId, userName, action: 'window.close', detail: { id: active.id, kind: active.kind, endsAt: active.endsAt.toISOString(), endReason } };
  try {
    await takeWindowOutOfIam(ctx, windowPolicyOf(accountId, active.endsAt));
  } catch (error) {
    return fail('Aws', `The window could not be closed: ${awsMessage(error)}`);
  }
  await db.transaction(async (tx) => {
    await tx.update(userWindows).set({ status: 'ended', endReason, endedAt: new Date() }).where(and(eq(userWindows.id, active.id), eq(userWindows.status, 'active')));
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'window.close', target, outcome: 'success', detail: ctx.detail });
  });
  return ok({ closed: true }, 'Window closed.');
}

/** The user now has MFA (enrollment, an IAM event, the inventory): a window no longer matters, so it ends ('enrolled'). */
export async function closeWindowsOnEnrollment(accountId: string, userName: string): Promise<ActionResult<{ closed: boolean }>> {
  const db = await getDb();
  const [active] = await db.select({ id: userWindows.id }).from(userWindows).where(and(eq(userWindows.accountId, accountId), eq(userWindows.userName, userName), eq(userWindows.status, 'active')));
  if (!active) return ok({ closed: false });
  return closeWindow(SYSTEM_ACTOR, { accountId, userName, endReason: 'enrolled' });
}

export type ExpireResult = { expired: number; failures: { accountId: string; userName: string; message: string }[] } & RepairResult;

/**
 * Ends the active windows past their end ('expired'; IAM has denied since then: this tidies) and repairs drift: a
 * window whose policy or tag is missing, a previous window's policy left attached, an mfa-window tag without a window.
 */
export async function expireWindows(): Promise<ActionResult<ExpireResult>> {
  const db = await getDb();
  const due = await db.select().from(userWindows).where(and(eq(userWindows.status, 'active'), lte(userWindows.endsAt, new Date())));
  const result: ExpireResult = { expired: 0, failures: [], repaired: 0 };
  for (const w of due) {
    const r = await closeWindow(SYSTEM_ACTOR, { accountId: w.accountId, userName: w.userName, endReason: 'expired' });
    if (r.status === 'success') result.expired++;
    else if (r.status === 'error') result.failures.push({ accountId: w.accountId, userName: w.userName, message: r.message });
  }
  const repair = await repairWindowDrift(db, SYSTEM_ACTOR.id);
  result.repaired = repair.repaired;
  result.failures.push(...repair.failures);
  return ok(result, `${result.expired} window${result.expired === 1 ? '' : 's'} expired, ${result.repaired} repaired${result.failures.length ? `, ${result.failures.length} failed` : ''}.`);
}
