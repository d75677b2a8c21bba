import { beforeEach, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { ListAttachedUserPoliciesCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { A, admin, category, inventory, stack, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import { createTestActor } from '@/test-support/iam-cleanup';
import { auditLog, inventoryUsers, programCategories, userWindows } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { closeWindow } from './apply';
import { decideRequest, extensionOutcome, listPendingRequests, requestExtension } from './extensions';
import { getMemberWindowInfo } from './member';
import { newUserWindowEnd, reconcileUserWindows } from './new-users';
import { windowPolicyName } from './policy';

// More time within limits (§1) and new users' windows (§2) against the local stack.

setUpEnforcementStack();
const { iam, created } = stack;
const DAY = 86_400_000;
const midnight = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY);
const attached = async (userName: string) => ((await iam[A]!.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? []).map((p) => p.PolicyName);
const windowTag = async (userName: string) => ((await iam[A]!.send(new ListUserTagsCommand({ UserName: userName }))).Tags ?? []).find((t) => t.Key === 'mfa-window')?.Value;
const rowsOf = (userName: string) => stack.db.select().from(userWindows).where(eq(userWindows.userName, userName)).orderBy(asc(userWindows.id));

async function member(prefix = 'ext'): Promise<{ actor: Actor; userName: string }> {
  const actor = await createTestActor(iam[A]!, A, prefix, created[A]!);
  const userName = actor.principals[0]!.userName;
  await inventory(A, userName, { groups: [] });
  return { actor, userName };
}
const limits = (values: Partial<typeof programCategories.$inferInsert>) => stack.db.update(programCategories).set(values).where(eq(programCategories.cohort, 'ext-wave'));

beforeEach(async () => {
  await stack.db.delete(userWindows);
  await category('ext-wave', midnight(1));
});

describe('the rules, pure', () => {
  it('an extension ends at 00:00 UTC N days after the current deadline (or today), within limits only up to max days past the category deadline and fewer than max count', () => {
    const now = new Date('2027-01-10T10:00:00Z');
    const base = { categoryDeadline: new Date('2027-01-15T17:00:00Z'), effectiveDeadline: new Date('2027-01-15T17:00:00Z'), used: 0, limits: { maxDays: 14, maxCount: 2 }, now };
    expect(extensionOutcome({ ...base, days: 7 })).toMatchObject({ endsAt: new Date('2027-01-23T00:00:00Z'), withinLimits: true });
    expect(extensionOutcome({ ...base, days: 14 })).toMatchObject({ endsAt: new Date('2027-01-30T00:00:00Z'), withinLimits: true });
    expect(extensionOutcome({ ...base, days: 15 }).withinLimits).toBe(false);
    expect(extensionOutcome({ ...base, days: 1, used: 2 }).withinLimits).toBe(false);
    expect(extensionOutcome({ ...base, days: 1, limits: { maxDays: 0, maxCount: 5 } }).withinLimits).toBe(false);
    // Overdue: from today, still measured against the category deadline.
    expect(extensionOutcome({ ...base, days: 3, now: new Date('2027-01-20T09:00:00Z') })).toMatchObject({ endsAt: new Date('2027-01-24T00:00:00Z'), withinLimits: true });
  });

  it('a new user’s window: creation + N days down to 00:00 UTC, only for users created after the deadline, only while ahead', () => {
    const now = new Date('2027-02-01T12:00:00Z');
    const deadline = new Date('2027-01-31T17:00:00Z');
    expect(newUserWindowEnd({ createdAt: new Date('2027-02-01T09:30:00Z'), categoryDeadline: deadline, days: 7 }, now)).toEqual(new Date('2027-02-08T00:00:00Z'));
    expect(newUserWindowEnd({ createdAt: new Date('2027-01-30T09:30:00Z'), categoryDeadline: deadline, days: 7 }, now)).toBeNull();
    expect(newUserWindowEnd({ createdAt: new Date('2027-02-01T09:30:00Z'), categoryDeadline: deadline, days: 0 }, now)).toBeNull();
    expect(newUserWindowEnd({ createdAt: new Date('2027-02-01T09:30:00Z'), categoryDeadline: deadline, days: 7 }, new Date('2027-02-08T00:00:00Z'))).toBeNull();
  });
});

describe('more time, within limits', () => {
  it('grants at once within the limits (IAM has the window), then a request beyond them waits for another admin', async () => {
    await limits({ extensionMaxDays: 14, extensionMaxCount: 1 });
    const { actor, userName } = await member();
    const granted = await requestExtension(actor, { user: { accountId: A, userName }, days: 5, reason: 'on leave this week' });
    expect(granted).toMatchObject({ status: 'success', data: { granted: true, endsAt: midnight(6) } });
    expect(await attached(userName)).toEqual([windowPolicyName('MfaPortalEnforcement', midnight(6))]);
    expect(await windowTag(userName)).toBe(midnight(6).toISOString().slice(0, 16) + 'Z');
    expect((await getMemberWindowInfo(actor)).get(`${A}/${userName}`)).toMatchObject({ used: 1, maxCount: 1, maxDays: 14, pending: null });

    // The one extension is used: the next request waits, and IAM is unchanged.
    const second = await requestExtension(actor, { user: { accountId: A, userName }, days: 3, reason: 'still on leave' });
    expect(second).toMatchObject({ status: 'success', data: { granted: false, endsAt: midnight(9) } });
    expect(await requestExtension(actor, { user: { accountId: A, userName }, days: 3, reason: 'once more' })).toMatchObject({ status: 'error', code: 'AlreadyPending' });
    expect(await attached(userName)).toEqual([windowPolicyName('MfaPortalEnforcement', midnight(6))]);
    const [pending] = (await listPendingRequests(admin)).filter((r) => r.userName === userName);
    expect(pending).toMatchObject({ status: 'pending', days: 3, requestedBy: actor.id });

    // The requester (with the admin role) cannot approve their own; another admin can.
    const requesterAsAdmin: Actor = { ...actor, roles: ['member', 'admin'] };
    expect(await decideRequest(requesterAsAdmin, { id: pending!.id, approve: true, note: '' })).toMatchObject({ status: 'error', code: 'OwnRequest' });
    expect(await decideRequest(admin, { id: pending!.id, approve: true, note: '' })).toMatchObject({ status: 'success', data: { status: 'active' } });
    expect(await attached(userName)).toEqual([windowPolicyName('MfaPortalEnforcement', midnight(9))]);
    expect((await rowsOf(userName)).map((r) => [r.status, r.endReason, r.decidedBy])).toEqual([
      ['ended', 'replaced', actor.id],
      ['active', null, admin.id],
    ]);
    const decided = await stack.db.select().from(auditLog).where(and(eq(auditLog.action, 'window.decide'), eq(auditLog.target, `${A}/${userName}`))).orderBy(asc(auditLog.id));
    expect(decided.map((d) => d.outcome)).toEqual(['denied', 'intent', 'success']);
    await closeWindow(admin, { accountId: A, userName, endReason: 'revoked' });
  }, 90_000);

  it('a rejection needs a reason, which the member sees; nobody asks for someone else’s user', async () => {
    const { actor, userName } = await member();
    const other = await member();
    expect(await requestExtension(other.actor, { user: { accountId: A, userName }, days: 3, reason: 'not mine' })).toMatchObject({ status: 'error', code: 'NotYourIamUser' });
    // No limits set: every request waits.
    expect(await requestExtension(actor, { user: { accountId: A, userName }, days: 2, reason: 'please' })).toMatchObject({ status: 'success', data: { granted: false } });
    const [pending] = await rowsOf(userName);
    expect(await decideRequest(admin, { id: pending!.id, approve: false, note: ' ' })).toMatchObject({ status: 'error', code: 'NoteRequired' });
    expect(await decideRequest(admin, { id: pending!.id, approve: false, note: 'Enroll today, the token is at reception.' })).toMatchObject({ status: 'success', data: { status: 'rejected' } });
    expect((await getMemberWindowInfo(actor)).get(`${A}/${userName}`)).toMatchObject({ pending: null, rejected: { note: 'Enroll today, the token is at reception.' } });
    expect(await attached(userName)).toEqual([]);
    expect(await decideRequest(admin, { id: pending!.id, approve: true, note: '' })).toMatchObject({ status: 'error', code: 'NotPending' });
  }, 90_000);
});

describe('new users get a window', () => {
  it('opens one for a user created after the deadline without MFA (system, audited), none for an older user, and closes it once the user has MFA', async () => {
    await category('ext-wave', midnight(-10));
    await limits({ newUserWindowDays: 7 });
    const fresh = await member('new');
    const old = await member('old');
    const createdAt = new Date(Date.now() - 3_600_000);
    await stack.db.update(inventoryUsers).set({ createdAt }).where(eq(inventoryUsers.userName, fresh.userName));
    await stack.db.update(inventoryUsers).set({ createdAt: midnight(-20) }).where(eq(inventoryUsers.userName, old.userName));

    const sweep = await reconcileUserWindows([fresh, old].map((m) => ({ accountId: A, userName: m.userName })));
    expect(sweep).toMatchObject({ opened: 1, closed: 0, failures: [] });
    const end = new Date(Math.floor((createdAt.getTime() + 7 * DAY) / DAY) * DAY);
    expect(await attached(fresh.userName)).toEqual([windowPolicyName('MfaPortalEnforcement', end)]);
    expect((await rowsOf(fresh.userName))[0]).toMatchObject({ kind: 'new-user', status: 'active', endsAt: end, requestedBy: 'system' });
    expect(await attached(old.userName)).toEqual([]);
    const opened = await stack.db.select().from(auditLog).where(and(eq(auditLog.action, 'window.open'), eq(auditLog.target, `${A}/${fresh.userName}`), eq(auditLog.outcome, 'success')));
    expect(opened.map((o) => o.actor)).toEqual(['system', 'system', 'system', 'system']);
    // Seen again: not opened twice.
    expect(await reconcileUserWindows([{ accountId: A, userName: fresh.userName }])).toMatchObject({ opened: 0, closed: 0 });

    await inventory(A, fresh.userName, { groups: [], devices: 1 });
    expect(await reconcileUserWindows([{ accountId: A, userName: fresh.userName }])).toMatchObject({ opened: 0, closed: 1 });
    expect(await attached(fresh.userName)).toEqual([]);
    expect((await rowsOf(fresh.userName))[0]).toMatchObject({ status: 'ended', endReason: 'enrolled' });
  }, 90_000);
});
