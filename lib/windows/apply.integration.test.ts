import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { AttachUserPolicyCommand, CreatePolicyCommand, DetachUserPolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, ListAttachedUserPoliciesCommand, ListUserTagsCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { A, admin, category, inventory, stack, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import { createTestActor } from '@/test-support/iam-cleanup';
import { auditLog, programUsers, userWindows } from '@/lib/db/schema';
import { policyArn } from '@/lib/iam-identifiers';
import { closeWindow, closeWindowsOnEnrollment, expireWindows, openWindow, openWindowFor } from './apply';
import { windowDocument, windowPolicyName, windowTagValue } from './policy';

// Per-user windows against the local stack: the window policy is created, attached and tagged, then closed and deleted,
// in the fail-closed order; a second window replaces the first; drift is repaired.

setUpEnforcementStack();
const { iam, created } = stack;
const DAY = 86_400_000;
const midnight = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY);
const arnOf = (end: Date) => policyArn(A, '/', windowPolicyName('MfaPortalEnforcement', end));

const attached = async (userName: string) => ((await iam[A]!.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? []).map((p) => p.PolicyName);
const tags = async (userName: string) => Object.fromEntries(((await iam[A]!.send(new ListUserTagsCommand({ UserName: userName }))).Tags ?? []).map((t) => [t.Key, t.Value]));
const policyExists = async (end: Date) =>
  iam[A]!.send(new GetPolicyCommand({ PolicyArn: arnOf(end) })).then(
    (out) => out.Policy?.AttachmentCount ?? 0,
    () => null,
  );
/** The AWS operations audited for the user under `action`, in order (intent rows). */
const operations = async (userName: string, action: string) =>
  (await stack.db.select().from(auditLog).where(and(eq(auditLog.target, `${A}/${userName}`), eq(auditLog.action, action), eq(auditLog.outcome, 'intent'))).orderBy(asc(auditLog.id))).map(
    (r) => (r.detail as { operation: string }).operation,
  );

async function newUser(prefix = 'win') {
  const userName = (await createTestActor(iam[A]!, A, prefix, created[A]!)).principals[0]!.userName;
  await inventory(A, userName, { groups: [] });
  return userName;
}

beforeAll(async () => {
  await stack.db.delete(userWindows);
});
beforeEach(async () => {
  await stack.db.delete(userWindows);
  await category('windows-wave', midnight(1));
});

describe('openWindow and closeWindow against IAM', () => {
  it('creates the window policy, attaches it, tags the user (in that order); closing untags, detaches and deletes it', async () => {
    const user = await newUser();
    const end = midnight(8);
    const opened = await openWindow(admin, { accountId: A, userName: user, kind: 'extension', endsAt: end, reason: 'travelling' });
    expect(opened).toMatchObject({ status: 'success', data: { endsAt: end } });
    expect(await attached(user)).toEqual([windowPolicyName('MfaPortalEnforcement', end)]);
    expect((await tags(user))['mfa-window']).toBe(windowTagValue(end));
    const version = await iam[A]!.send(new GetPolicyVersionCommand({ PolicyArn: arnOf(end), VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toEqual(windowDocument(end));
    expect(await operations(user, 'window.open')).toEqual(['iam:CreatePolicy', 'iam:AttachUserPolicy', 'iam:TagUser']);
    // The one rule for the date: the view's deadline is the window's end.
    const [row] = await stack.db.select().from(programUsers).where(eq(programUsers.userName, user));
    expect(row).toMatchObject({ deadline: end, categoryDeadline: midnight(1), windowKind: 'extension', windowEndsAt: end });

    expect(await closeWindow(admin, { accountId: A, userName: user, endReason: 'revoked' })).toMatchObject({ status: 'success', data: { closed: true } });
    expect(await attached(user)).toEqual([]);
    expect((await tags(user))['mfa-window']).toBeUndefined();
    expect(await policyExists(end)).toBeNull();
    expect(await operations(user, 'window.close')).toEqual(['iam:UntagUser', 'iam:DetachUserPolicy', 'iam:DeletePolicy']);
    const [w] = await stack.db.select().from(userWindows).where(eq(userWindows.userName, user));
    expect(w).toMatchObject({ status: 'ended', endReason: 'revoked' });
    expect((await stack.db.select().from(programUsers).where(eq(programUsers.userName, user)))[0]!.deadline).toEqual(midnight(1));
    expect(await closeWindow(admin, { accountId: A, userName: user, endReason: 'revoked' })).toMatchObject({ status: 'success', data: { closed: false } });
  }, 60_000);

  it('a second window replaces the first: the first policy is detached and deleted, its row ended as replaced', async () => {
    const user = await newUser();
    expect((await openWindow(admin, { accountId: A, userName: user, kind: 'extension', endsAt: midnight(5), reason: 'first' })).status).toBe('success');
    expect((await openWindow(admin, { accountId: A, userName: user, kind: 'extension', endsAt: midnight(9), reason: 'second' })).status).toBe('success');
    expect(await attached(user)).toEqual([windowPolicyName('MfaPortalEnforcement', midnight(9))]);
    expect((await tags(user))['mfa-window']).toBe(windowTagValue(midnight(9)));
    expect(await policyExists(midnight(5))).toBeNull();
    const rows = await stack.db.select().from(userWindows).where(eq(userWindows.userName, user)).orderBy(asc(userWindows.id));
    expect(rows.map((r) => [r.reason, r.status, r.endReason])).toEqual([
      ['first', 'ended', 'replaced'],
      ['second', 'active', null],
    ]);
    // Never shorter: not before the open window's end, not at or before the category deadline.
    expect(await openWindow(admin, { accountId: A, userName: user, kind: 'extension', endsAt: midnight(7), reason: 'shorter' })).toMatchObject({ status: 'error', code: 'NotLater' });
    const other = await newUser();
    expect(await openWindow(admin, { accountId: A, userName: other, kind: 'extension', endsAt: midnight(1), reason: 'same' })).toMatchObject({ status: 'error', code: 'NotLater' });
    expect(await attached(other)).toEqual([]);
    await closeWindow(admin, { accountId: A, userName: user, endReason: 'revoked' });
  }, 60_000);

  it('users with the same end share one policy, deleted only when the last is detached', async () => {
    const [u1, u2] = [await newUser(), await newUser()];
    const end = midnight(6);
    for (const u of [u1!, u2!]) expect((await openWindow(admin, { accountId: A, userName: u, kind: 'new-user', endsAt: end, reason: 'new user' })).status).toBe('success');
    expect(await policyExists(end)).toBe(2);
    expect(await operations(u2!, 'window.open')).toEqual(['iam:AttachUserPolicy', 'iam:TagUser']);
    expect((await closeWindowsOnEnrollment(A, u1!)).status).toBe('success');
    expect(await policyExists(end)).toBe(1);
    expect((await stack.db.select().from(userWindows).where(eq(userWindows.userName, u1!)))[0]).toMatchObject({ status: 'ended', endReason: 'enrolled' });
    expect((await closeWindowsOnEnrollment(A, u2!)).status).toBe('success');
    expect(await policyExists(end)).toBeNull();
  }, 60_000);

  it('a decision on a request that is no longer pending (another admin decided first) is a clear conflict, and the window stands', async () => {
    const user = await newUser();
    const end = midnight(9);
    const [pending] = await stack.db
      .insert(userWindows)
      .values({ accountId: A, userName: user, kind: 'extension', status: 'pending', endsAt: end, days: 8, reason: 'token in the post', requestedBy: 'member@example.com' })
      .returning({ id: userWindows.id });
    const input = { accountId: A, userName: user, kind: 'extension' as const, endsAt: end, reason: 'token in the post' };
    expect(await openWindowFor(admin, input, pending!.id)).toMatchObject({ status: 'success', data: { id: pending!.id } });
    const again = await openWindowFor(admin, input, pending!.id);
    expect(again).toMatchObject({ status: 'error', code: 'Conflict' });
    // The first decision's window is untouched: still the one active row, still in IAM.
    const rows = await stack.db.select({ id: userWindows.id, status: userWindows.status }).from(userWindows).where(eq(userWindows.userName, user));
    expect(rows).toEqual([{ id: pending!.id, status: 'active' }]);
    expect(await attached(user)).toEqual([windowPolicyName('MfaPortalEnforcement', end)]);
    const [audit] = await stack.db.select().from(auditLog).where(and(eq(auditLog.target, `${A}/${user}`), eq(auditLog.action, 'window.open'), eq(auditLog.outcome, 'failure')));
    expect(audit?.detail).toMatchObject({ reason: 'concurrent' });
    expect(await closeWindow(admin, { accountId: A, userName: user, endReason: 'revoked' })).toMatchObject({ status: 'success', data: { closed: true } });
  });

  it('refuses people who may not act on the user, and audits the refusal', async () => {
    const user = await newUser();
    const stranger = await createTestActor(iam[A]!, A, 'win-other', created[A]!);
    expect(await openWindow(stranger, { accountId: A, userName: user, kind: 'extension', endsAt: midnight(5), reason: 'x' })).toMatchObject({ status: 'error', code: 'Forbidden' });
    const owner = { ...stranger, principals: [{ accountId: A, userName: user, arn: '' }] };
    // The owner may have an extension opened (within the limits the caller checked), never a grace.
    expect(await openWindow(owner, { accountId: A, userName: user, kind: 'grace', endsAt: midnight(5), reason: 'x' })).toMatchObject({ status: 'error', code: 'Forbidden' });
    const denied = await stack.db.select().from(auditLog).where(and(eq(auditLog.target, `${A}/${user}`), eq(auditLog.outcome, 'denied')));
    expect(denied.map((d) => d.action)).toEqual(['window.open', 'window.open']);
    expect(await attached(user)).toEqual([]);
  }, 60_000);
});

describe('expireWindows', () => {
  it('ends windows past their end and repairs drift: a detached policy goes back, a stray tag goes', async () => {
    const [expired, drifted, stray] = [await newUser(), await newUser(), await newUser()];
    // A window that ended a minute ago, as IAM would hold it.
    const past = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await iam[A]!.send(new CreatePolicyCommand({ PolicyName: windowPolicyName('MfaPortalEnforcement', past), PolicyDocument: JSON.stringify(windowDocument(past)) }));
    await iam[A]!.send(new AttachUserPolicyCommand({ UserName: expired!, PolicyArn: arnOf(past) }));
    await iam[A]!.send(new TagUserCommand({ UserName: expired!, Tags: [{ Key: 'mfa-window', Value: windowTagValue(past) }] }));
    await stack.db.insert(userWindows).values({ accountId: A, userName: expired!, kind: 'grace', status: 'active', endsAt: past, reason: 'lost phone', requestedBy: 'test' });
    // Someone detached a live window's policy.
    expect((await openWindow(admin, { accountId: A, userName: drifted!, kind: 'extension', endsAt: midnight(4), reason: 'drift' })).status).toBe('success');
    await iam[A]!.send(new DetachUserPolicyCommand({ UserName: drifted!, PolicyArn: arnOf(midnight(4)) }));
    // An mfa-window tag with no window behind it (the inventory saw it).
    await iam[A]!.send(new TagUserCommand({ UserName: stray!, Tags: [{ Key: 'mfa-window', Value: windowTagValue(midnight(3)) }] }));
    await inventory(A, stray!, { groups: [], tags: { 'mfa-window': windowTagValue(midnight(3)) } });

    const result = await expireWindows();
    expect(result).toMatchObject({ status: 'success', data: { expired: 1, repaired: 2, failures: [] } });
    expect(await attached(expired!)).toEqual([]);
    expect((await tags(expired!))['mfa-window']).toBeUndefined();
    expect(await policyExists(past)).toBeNull();
    expect((await stack.db.select().from(userWindows).where(eq(userWindows.userName, expired!)))[0]).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect(await attached(drifted!)).toEqual([windowPolicyName('MfaPortalEnforcement', midnight(4))]);
    expect((await tags(stray!))['mfa-window']).toBeUndefined();
    expect(await operations(drifted!, 'window.repair')).toEqual(['iam:AttachUserPolicy', 'iam:TagUser']);
    await closeWindow(admin, { accountId: A, userName: drifted!, endReason: 'revoked' });
    expect(await stack.db.select().from(userWindows).where(and(inArray(userWindows.userName, [expired!, drifted!]), eq(userWindows.status, 'active')))).toEqual([]);
  }, 90_000);
});
