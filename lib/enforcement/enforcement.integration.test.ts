import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedGroupPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUserTagsCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { useLocalStack } from '@/test-support/stack';
import { createTestActor, removeTestUser } from '@/test-support/iam-cleanup';
import { consoleIam } from '@/infra/local/console';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, inventoryUsers, programCategories, programDecisions } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor, Role } from '@/lib/auth/types';
import { classify } from '@/lib/inventory/classify';
import { toRow } from '@/lib/inventory/store';
import { deployEnforcement, previewEnforcement, rollbackEnforcement } from './deploy';
import { setDefaultCohort } from './program';
import { applyTagDrift, getTagDrift } from './tags';

// Deploy, prune and rollback of the enforcement policy, and tag reconciliation, against the local stack
// (moto keeps five policy versions like IAM). Everything created here is removed afterwards: the seed tests
// assert the organisation exactly.
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const GROUP = 'mfa-enforced';
const POLICY = (account: string) => `arn:aws:iam::${account}:policy/MfaPortalEnforcement`;
const actor = (roles: Role[]): Actor => ({ id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles, principals: [], authTime: 0 });
const security = actor(['member', 'admin', 'security']);
const admin = actor(['member', 'admin']);

let db: Db;
let portalUser: string;
const iam: Record<string, IAMClient> = {};
const created: Record<string, string[]> = { [A]: [], [B]: [] };

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  db = await getDb();
  portalUser = groundTruth.portal.userName;
  for (const account of [A, B, C]) iam[account] = await consoleIam({ motoUrl: stack.motoUrl, accountId: account, groundTruth });
  for (const account of [A, B]) await iam[account]!.send(new CreateGroupCommand({ GroupName: GROUP }));
});

afterAll(async () => {
  for (const account of [A, B]) {
    const client = iam[account]!;
    for (const name of created[account]!) {
      await client.send(new RemoveUserFromGroupCommand({ GroupName: GROUP, UserName: name })).catch(() => undefined);
      await removeTestUser(client, name);
    }
    for (const p of (await client.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }))).AttachedPolicies ?? [])
      await client.send(new DetachGroupPolicyCommand({ GroupName: GROUP, PolicyArn: p.PolicyArn! }));
    await client.send(new DeleteGroupCommand({ GroupName: GROUP }));
  }
  // The policy exists in every managed account, also the one without the group.
  for (const account of [A, B, C]) {
    const client = iam[account]!;
    const versions = await client.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY(account) })).catch(() => null);
    for (const v of versions?.Versions ?? []) if (!v.IsDefaultVersion) await client.send(new DeletePolicyVersionCommand({ PolicyArn: POLICY(account), VersionId: v.VersionId! }));
    await client.send(new DeletePolicyCommand({ PolicyArn: POLICY(account) })).catch(() => undefined);
  }
  for (const client of Object.values(iam)) client.destroy();
});


async function inventory(account: string, userName: string, p: { groups?: string[]; tags?: Record<string, string>; devices?: number; accessKeyLastUsed?: Date } = {}) {
  const row = toRow(
    classify({
      accountId: account, userName, arn: `arn:aws:iam::${account}:user/${userName}`, path: '/', createdAt: null, tags: p.tags ?? {}, groups: p.groups ?? [GROUP],
      consoleAccess: true, passwordLastUsed: undefined, accessKeyLastUsed: p.accessKeyLastUsed ?? null,
      devices: Array.from({ length: p.devices ?? 0 }, (_, i) => ({ serial: `GAHT0000000${i}`, type: 'hardware' as const, name: `t${i}`, enabledAt: null })),
      leftoverDevices: [],
    }),
    'inventory', null, new Date(),
  );
  await db.insert(inventoryUsers).values(row).onConflictDoUpdate({ target: [inventoryUsers.accountId, inventoryUsers.userName], set: { groups: row.groups, tags: row.tags, devices: row.devices, mfaState: row.mfaState, accessKeyLastUsed: row.accessKeyLastUsed } });
}

async function category(cohort: string, deadline: Date, selector: { kind: 'account' | 'group'; value: string } = { kind: 'account', value: A }) {
  await db.delete(programCategories).where(eq(programCategories.cohort, cohort));
  await db.insert(programCategories).values({ name: cohort, position: 1, selectorKind: selector.kind, selectorValue: selector.value, defaultDecision: 'required', allowedDeviceTypes: ['virtual', 'hardware', 'fido'], minDevices: 1, deadline, cohort, updatedBy: 'test' });
}

/** An account's retained versions, oldest first (version ids grow). */
const versionsOf = async (account: string) =>
  ((await iam[account]!.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY(account) })).catch(() => null))?.Versions ?? [])
    .map((v) => ({ versionId: v.VersionId!, isDefault: v.IsDefaultVersion === true }))
    .sort((a, b) => Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)));
const defaultVersions = async () => Promise.all([A, B, C].map(async (account) => (await versionsOf(account)).find((v) => v.isDefault)?.versionId ?? null));
const lastAudit = async (action: string) => (await db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1))[0];
const days = (n: number) => new Date(Date.UTC(2027, 0, 1) + n * 86_400_000);

describe('deploy, prune and rollback', () => {
  beforeEach(async () => {
    await db.delete(programDecisions);
    await db.delete(programCategories);
    await db.delete(inventoryUsers);
  });

  it('only the security team previews, deploys or rolls back', async () => {
    await expect(previewEnforcement(admin)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deployEnforcement(admin, 'x')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(rollbackEnforcement(admin, A, 'v1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(applyTagDrift(admin, '0000000000000000')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('creates, attaches, versions, prunes the oldest of five, rolls back, and audits each step with its diff', async () => {
    await category('wave-1', days(0));
    const first = await previewEnforcement(security);
    expect(first.blockers).toEqual([]);
    expect(first.accounts.map((a) => [a.accountId, a.exists, a.upToDate])).toEqual([[A, false, false], [B, false, false], ['333333333333', false, false]]);
    expect(first.accounts[0]!.diff.every((l) => l.kind === 'add')).toBe(true);

    expect(await deployEnforcement(security, 'stale-hash')).toMatchObject({ status: 'error', code: 'Changed' });
    const deployed = await deployEnforcement(security, first.generated.hash);
    expect(deployed).toMatchObject({ status: 'success' });
    if (deployed.status !== 'success') return;
    expect(deployed.data.map((o) => [o.accountId, o.status, o.attached, o.missingGroups])).toEqual([
      [A, 'created', [GROUP], []],
      [B, 'created', [GROUP], []],
      ['333333333333', 'created', [], [GROUP]],
    ]);
    const attached = await iam[A]!.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([POLICY(A)]);
    const doc = await iam[A]!.send(new GetPolicyVersionCommand({ PolicyArn: POLICY(A), VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(doc.PolicyVersion!.Document!))).toEqual(first.generated.document);

    // Same program: nothing to do.
    const again = await deployEnforcement(security, first.generated.hash);
    expect(again.status === 'success' && again.data.map((o) => o.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    // Five more deadlines: versions v2..v6; IAM keeps five, so v1 is deleted to make room for v6.
    for (let i = 1; i <= 5; i++) {
      await db.update(programCategories).set({ deadline: days(i) }).where(eq(programCategories.cohort, 'wave-1'));
      const p = await previewEnforcement(security);
      expect(p.accounts[0]!.diff.filter((l) => l.kind !== 'same').map((l) => l.text.trim())).toEqual([
        `"aws:CurrentTime": "${days(i - 1).toISOString().replace('.000', '')}"`,
        `"aws:CurrentTime": "${days(i).toISOString().replace('.000', '')}"`,
      ]);
      const r = await deployEnforcement(security, p.generated.hash);
      expect(r.status === 'success' && r.data[0]!.deletedVersion).toBe(i === 5 ? 'v1' : null);
    }
    const versions = (await iam[A]!.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY(A) }))).Versions!;
    expect(versions.map((v) => v.VersionId).sort()).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    expect(versions.find((v) => v.IsDefaultVersion)?.VersionId).toBe('v6');
    const audit = await lastAudit('enforcement.deploy');
    expect(audit!.detail).toMatchObject({ status: 'updated', before: { versionId: 'v5' }, after: { versionId: 'v6' } });
    expect(String(audit!.detail.diff)).toMatch(new RegExp(`^\\+ +"aws:CurrentTime": "${days(5).toISOString().replace('.000', '')}"$`, 'm'));

    // Roll back to v3 in one step.
    expect(await rollbackEnforcement(security, A, 'v3')).toMatchObject({ status: 'success' });
    expect((await iam[A]!.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY(A) }))).Versions!.find((v) => v.IsDefaultVersion)?.VersionId).toBe('v3');
    expect((await lastAudit('enforcement.rollback'))!.detail).toMatchObject({ before: { versionId: 'v6' }, after: { versionId: 'v3' } });
    expect(await rollbackEnforcement(security, A, 'v1')).toMatchObject({ status: 'error', code: 'NotFound' });
    // The next preview knows A is behind the program again.
    expect((await previewEnforcement(security)).accounts.find((a) => a.accountId === A)!.upToDate).toBe(false);
  }, 120_000);

  it('refuses a deploy that would deny an approved exception until the tags exempt it', async () => {
    const [user] = [await createTestActor(iam[A]!, A, 'enf-bg', created[A]!)].map((a) => a.principals[0]!.userName);
    await iam[A]!.send(new AddUserToGroupCommand({ GroupName: GROUP, UserName: user! }));
    await inventory(A, user!);
    await category('wave-1', days(0));
    await db.insert(programDecisions).values({ accountId: A, userName: user!, decision: 'exception', reason: 'Break-glass account', approver: 'CISO', expiresAt: new Date(Date.now() + 86_400_000 * 90), decidedBy: 'test' });
    // Untagged users are enforced with wave-1, so the exception user is denied until the tags exempt them.
    expect((await setDefaultCohort(db, security, 'wave-1')).status).toBe('success');

    const blocked = await previewEnforcement(security);
    expect(blocked.denied.map((d) => d.userName)).toEqual([user]);
    expect(blocked.blockers.join(' ')).toMatch(/approved exception/);
    expect(await deployEnforcement(security, blocked.generated.hash)).toMatchObject({ status: 'error', code: 'Refused' });
    expect((await lastAudit('enforcement.deploy'))!.outcome).toBe('denied');

    const drift = await getTagDrift(security);
    expect(drift.changes.map((c) => [c.userName, c.key, c.actual, c.desired])).toEqual([
      [user, 'mfa-cohort', null, 'wave-1'],
      [user, 'mfa-exempt', null, 'true'],
    ]);
    expect(await applyTagDrift(security, '0000000000000000')).toMatchObject({ status: 'error', code: 'Changed' });
    expect(await applyTagDrift(security, drift.hash)).toMatchObject({ status: 'success', data: { usersChanged: 1, failures: [] } });
    const live = (await iam[A]!.send(new ListUserTagsCommand({ UserName: user! }))).Tags!;
    expect(Object.fromEntries(live.map((t) => [t.Key, t.Value]))).toMatchObject({ 'mfa-cohort': 'wave-1', 'mfa-exempt': 'true' });
    expect((await lastAudit('enforcement.tags.apply'))!.detail).toEqual({ before: { 'mfa-cohort': null, 'mfa-exempt': null }, after: { 'mfa-cohort': 'wave-1', 'mfa-exempt': 'true' } });
    expect((await getTagDrift(security)).changes).toEqual([]);

    const allowed = await previewEnforcement(security);
    expect(allowed.denied).toEqual([]);
    expect(allowed.blockers).toEqual([]);

    // The exception is withdrawn: the exemption tag goes, and the user is denied from the deadline.
    await db.delete(programDecisions);
    const withdrawn = await getTagDrift(security);
    expect(withdrawn.changes.map((c) => [c.key, c.actual, c.desired])).toEqual([['mfa-exempt', 'true', null]]);
    // An earlier report's hash is not this one's: refused.
    expect(await applyTagDrift(security, drift.hash)).toMatchObject({ status: 'error', code: 'Changed' });
    expect(await applyTagDrift(security, withdrawn.hash)).toMatchObject({ status: 'success', data: { usersChanged: 1 } });
    const after = (await iam[A]!.send(new ListUserTagsCommand({ UserName: user! }))).Tags!;
    expect(after.map((t) => t.Key)).toEqual(['mfa-cohort']);
    expect((await previewEnforcement(security)).denied.map((d) => [d.userName, d.cohort, d.from.toISOString()])).toEqual([[user, 'wave-1', days(0).toISOString()]]);
    await setDefaultCohort(db, security, null);
  }, 120_000);

  it('refuses a deploy that would deny an approved exception with an MFA device (their access-key calls)', async () => {
    // Inventory rows only: the deploy is refused before any IAM user is touched.
    await inventory(A, 'enf-exc-keys', { devices: 1, accessKeyLastUsed: new Date('2026-05-01T08:00:00Z') });
    await inventory(A, 'enf-exc-console', { devices: 1 });
    await category('wave-1', days(0));
    for (const userName of ['enf-exc-keys', 'enf-exc-console'])
      await db.insert(programDecisions).values({ accountId: A, userName, decision: 'exception', reason: 'Break-glass account', approver: 'CISO', expiresAt: new Date(Date.now() + 86_400_000 * 90), decidedBy: 'test' });
    expect((await setDefaultCohort(db, security, 'wave-1')).status).toBe('success');
    try {
      const p = await previewEnforcement(security);
      // The impact lists the one whose keys are in use; the blocker does not rely on that evidence.
      expect(p.denied.map((d) => [d.userName, d.denied, d.activeException])).toEqual([['enf-exc-keys', 'access-keys', true]]);
      expect(p.blockers.join(' ')).toContain(`It would deny 2 users with an approved exception (${A}/enf-exc-console, ${A}/enf-exc-keys)`);
      const before = await defaultVersions();
      expect(await deployEnforcement(security, p.generated.hash)).toMatchObject({ status: 'error', code: 'Refused' });
      expect(await lastAudit('enforcement.deploy')).toMatchObject({ outcome: 'denied', detail: { reason: 'Blocked' } });
      expect(await defaultVersions()).toEqual(before);
    } finally {
      await setDefaultCohort(db, security, null);
    }
  });

  it('refuses a deploy that would deny the portal’s own identity although it has an MFA device (it calls with access keys)', async () => {
    await category('wave-1', days(0), { kind: 'account', value: C });
    await inventory(C, portalUser, { groups: [GROUP], devices: 1 });
    expect((await setDefaultCohort(db, security, 'wave-1')).status).toBe('success');
    try {
      const p = await previewEnforcement(security);
      // No key use on record: the impact does not list it, but the portal always signs with its keys.
      expect(p.denied).toEqual([]);
      expect(p.blockers.join(' ')).toContain(`portal’s own identity (${C}/${portalUser}, in ${GROUP}) from ${days(0).toISOString().replace('.000', '')}`);
      const before = await defaultVersions();
      expect(await deployEnforcement(security, p.generated.hash)).toMatchObject({ status: 'error', code: 'Refused', message: expect.stringContaining('portal’s own identity') });
      expect((await lastAudit('enforcement.deploy'))!.outcome).toBe('denied');
      expect(await defaultVersions()).toEqual(before);
      // Exempt by tag, it is not denied and the deploy may go ahead.
      await inventory(C, portalUser, { groups: [GROUP], devices: 1, tags: { 'mfa-exempt': 'true' } });
      expect((await previewEnforcement(security)).blockers).toEqual([]);
    } finally {
      await setDefaultCohort(db, security, null);
    }
  });

  it('refuses a deploy that would deny the portal’s own identity', async () => {
    await category('wave-1', days(0), { kind: 'account', value: '333333333333' });
    await inventory('333333333333', portalUser, { groups: [GROUP], tags: {} });
    expect((await setDefaultCohort(db, security, 'wave-1')).status).toBe('success');
    const p = await previewEnforcement(security);
    expect(p.blockers.join(' ')).toContain(`portal’s own identity (333333333333/${portalUser}`);
    await db.delete(inventoryUsers).where(and(eq(inventoryUsers.accountId, '333333333333'), eq(inventoryUsers.userName, portalUser)));
    await setDefaultCohort(db, security, null);
  });
});

describe('rollback: pruning after it, and what it checks', () => {
  beforeEach(async () => {
    await db.delete(programDecisions);
    await db.delete(programCategories);
    await db.delete(inventoryUsers);
  });

  /** Deploys the program with wave-1 due on `deadline`; the deploy must succeed. */
  async function deployWith(deadline: Date) {
    await category('wave-1', deadline);
    const p = await previewEnforcement(security);
    expect(p.blockers).toEqual([]);
    const r = await deployEnforcement(security, p.generated.hash);
    if (r.status !== 'success') throw new Error(`deploy failed: ${JSON.stringify(r)}`);
    return new Map(r.data.map((o) => [o.accountId, o]));
  }

  it('after a rollback to the oldest version, a deploy deletes the oldest non-default version, never the default', async () => {
    // Fill every account's five versions (the policy may exist from earlier tests, or not).
    for (let i = 0; (await versionsOf(A)).length < 5 || (await versionsOf(B)).length < 5; i++) await deployWith(days(100 + i));
    const [oldest, secondOldest, ...rest] = (await versionsOf(A)).map((v) => v.versionId);
    expect(await rollbackEnforcement(security, A, oldest!)).toMatchObject({ status: 'success' });
    expect((await versionsOf(A)).find((v) => v.isDefault)?.versionId).toBe(oldest);
    const oldestB = (await versionsOf(B))[0]!.versionId;

    const out = await deployWith(days(200));
    // A: the default (its oldest) stays; the oldest of the others goes.
    expect(out.get(A)).toMatchObject({ status: 'updated', deletedVersion: secondOldest });
    const after = await versionsOf(A);
    const created = out.get(A)!.versionId!;
    expect(after.map((v) => v.versionId)).toEqual([oldest, ...rest, created]);
    expect(after.find((v) => v.isDefault)?.versionId).toBe(created);
    // B was not rolled back: its oldest goes.
    expect(out.get(B)).toMatchObject({ status: 'updated', deletedVersion: oldestB });
  }, 180_000);

  it('is not held up by an approved exception without its tag, but refuses to lock out the portal’s own identity', async () => {
    // A version that enforces untagged users (the default cohort), then one that does not.
    await category('wave-1', days(300));
    expect((await setDefaultCohort(db, security, 'wave-1')).status).toBe('success');
    const enforcing = await deployWith(days(300));
    expect((await setDefaultCohort(db, security, null)).status).toBe('success');
    const lenient = await deployWith(days(300));
    const enforcingIn = (account: string) => enforcing.get(account)!.versionId!;
    const lenientIn = (account: string) => lenient.get(account)!.versionId!;
    expect(enforcingIn(C)).not.toBe(lenientIn(C));

    try {
      // Since then: an untagged exception in A and the portal's IAM user (in C, with an MFA device) in the enforced group.
      await inventory(A, 'enf-rb-exception');
      await db.insert(programDecisions).values({ accountId: A, userName: 'enf-rb-exception', decision: 'exception', reason: 'Break-glass account', approver: 'CISO', expiresAt: new Date(Date.now() + 86_400_000 * 90), decidedBy: 'test' });
      await inventory(C, portalUser, { groups: [GROUP], devices: 1 });

      // The emergency undo in A goes ahead although it denies the exception (the portal is not in A).
      expect(await rollbackEnforcement(security, A, enforcingIn(A))).toMatchObject({ status: 'success' });
      expect((await lastAudit('enforcement.rollback'))!.detail).toMatchObject({ after: { versionId: enforcingIn(A) }, portalCheck: `its IAM user is in ${C}, not this account` });

      // In C the enforcing version would deny the portal itself: refused, and nothing changes.
      const refused = await rollbackEnforcement(security, C, enforcingIn(C));
      expect(refused).toMatchObject({ status: 'error', code: 'Refused' });
      expect(refused.status === 'error' && refused.message).toContain(`portal’s own identity (${C}/${portalUser}, in ${GROUP}) from ${days(300).toISOString().replace('.000', '')}`);
      expect(await lastAudit('enforcement.rollback')).toMatchObject({ outcome: 'denied', detail: { versionId: enforcingIn(C), reason: 'Blocked' } });
      expect((await versionsOf(C)).find((v) => v.isDefault)?.versionId).toBe(lenientIn(C));

      // Exempt by tag, it would not be denied: the rollback goes ahead.
      await inventory(C, portalUser, { groups: [GROUP], devices: 1, tags: { 'mfa-exempt': 'true' } });
      expect(await rollbackEnforcement(security, C, enforcingIn(C))).toMatchObject({ status: 'success' });
      expect((await lastAudit('enforcement.rollback'))!.detail).toMatchObject({ portalCheck: 'not denied by this version' });
      expect((await versionsOf(C)).find((v) => v.isDefault)?.versionId).toBe(enforcingIn(C));
    } finally {
      await setDefaultCohort(db, security, null);
    }
  }, 180_000);
});
