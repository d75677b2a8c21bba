import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { GetPolicyVersionCommand, ListAttachedGroupPoliciesCommand, ListPolicyVersionsCommand } from '@aws-sdk/client-iam';
import { A, admin, B, C, category, days, defaultVersions, GROUP, inventory, lastAudit, POLICY, security, stack, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import type { Db } from '@/lib/db/client';
import { inventoryUsers, programCategories, programDecisions } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import { deployEnforcement } from './deploy';
import { previewEnforcement } from './preview';
import { setDefaultCohort } from './program';
import { rollbackEnforcement } from './rollback';
import { applyTagDrift } from './tags';

// Deploy and prune of the enforcement policy against the local stack, and what blocks a deploy.

setUpEnforcementStack();
let db: Db;
let portalUser: string;
const { iam } = stack;
beforeAll(() => {
  ({ db, portalUser } = stack);
});

describe('deploy, prune and rollback', () => {
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
    expect(first.generated.members.map((m) => m.name)).toEqual(['MfaPortalEnforcement']);
    expect(JSON.parse(decodeURIComponent(doc.PolicyVersion!.Document!))).toEqual(first.generated.members[0]!.document);

    // Same program: nothing to do.
    const again = await deployEnforcement(security, first.generated.hash);
    expect(again.status === 'success' && again.data.map((o) => o.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    // Five more deadlines: versions v2..v6; IAM keeps five, so v1 is deleted to make room for v6.
    for (let i = 1; i <= 5; i++) {
      await db.update(programCategories).set({ deadline: days(i) }).where(eq(programCategories.cohort, 'wave-1'));
      const p = await previewEnforcement(security);
      // The deadline, and the set id every document carries.
      expect(p.accounts[0]!.diff.filter((l) => l.kind !== 'same').map((l) => l.text.trim())).toEqual([
        expect.stringMatching(/^"Id": "MfaPortal[0-9a-f]{16}",$/),
        `"Id": "MfaPortal${p.generated.hash}",`,
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
    expect(audit!.detail).toMatchObject({ status: 'updated', before: { MfaPortalEnforcement: { versionId: 'v5' } }, after: { MfaPortalEnforcement: { versionId: 'v6' } }, policies: [{ name: 'MfaPortalEnforcement', status: 'updated', versionId: 'v6' }] });
    expect(String(audit!.detail.diff)).toMatch(new RegExp(`^\\+ +"aws:CurrentTime": "${days(5).toISOString().replace('.000', '')}"$`, 'm'));

    // Roll back to v3 in one step.
    expect(await rollbackEnforcement(security, A, 'v3')).toMatchObject({ status: 'success' });
    expect((await iam[A]!.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY(A) }))).Versions!.find((v) => v.IsDefaultVersion)?.VersionId).toBe('v3');
    expect((await lastAudit('enforcement.rollback'))!.detail).toMatchObject({ before: { versionId: 'v6' }, after: { versionId: 'v3', policies: { MfaPortalEnforcement: 'v3' } } });
    expect(await rollbackEnforcement(security, A, 'v1')).toMatchObject({ status: 'error', code: 'NotFound' });
    // The next preview knows A is behind the program again.
    expect((await previewEnforcement(security)).accounts.find((a) => a.accountId === A)!.upToDate).toBe(false);
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
