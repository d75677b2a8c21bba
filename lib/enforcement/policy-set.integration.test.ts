import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttachGroupPolicyCommand, CreatePolicyCommand, DeletePolicyCommand, DetachGroupPolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, ListAttachedGroupPoliciesCommand } from '@aws-sdk/client-iam';
import { A, B, C, category, days, GROUP, lastAudit, security, stack, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import { enforcementPolicyArn, policyVersions } from '@/test-support/enforcement-iam';
import type { Db } from '@/lib/db/client';
import { programCategories } from '@/lib/db/schema';
import { deployEnforcement } from './deploy';
import { previewEnforcement } from './preview';
import { rollbackEnforcement } from './rollback';

// A program too large for one managed policy, against the local stack: the set is deployed, versioned, rolled back
// and shrunk as one change, and refused when the enforced group has no room for it.

setUpEnforcementStack();
let db: Db;
const { iam } = stack;
beforeAll(() => {
  ({ db } = stack);
});
const faults = () => `${inject('stack').awsEndpoint}/_local/faults`;
afterEach(async () => {
  await fetch(faults(), { method: 'DELETE' });
});

const NAMES = ['MfaPortalEnforcement', 'MfaPortalEnforcement-2'];
/** Long cohort names: twelve of them need more than one policy. */
const cohort = (i: number) => `platform-wave-${String(i).padStart(2, '0')}-operators`;
async function program(count: number, shift = 0) {
  await db.delete(programCategories);
  for (let i = 1; i <= count; i++) await category(cohort(i), days(i + shift));
}
const document = async (account: string, name: string, versionId: string) =>
  JSON.parse(decodeURIComponent((await iam[account]!.send(new GetPolicyVersionCommand({ PolicyArn: enforcementPolicyArn(account, name), VersionId: versionId }))).PolicyVersion!.Document!)) as { Id: string; Statement: { Sid: string }[] };
const defaultOf = async (account: string, name: string) => (await policyVersions(iam[account]!, account, name)).find((v) => v.isDefault)?.versionId ?? null;

describe('a policy set of several managed policies', () => {
  it('deploys every policy as one change, versions them together, rolls them back together, and keeps a retired one with the tag guard only', async () => {
    await program(12);
    const first = await previewEnforcement(security);
    expect(first.blockers).toEqual([]);
    expect(first.generated.members.map((m) => m.name)).toEqual(NAMES);
    // The preview shows every policy, each under its name.
    expect(first.pretty).toContain('# MfaPortalEnforcement\n');
    expect(first.pretty).toContain('# MfaPortalEnforcement-2\n');
    expect(first.accounts[0]!.desired.map((d) => [d.name, d.exists])).toEqual([[NAMES[0], false], [NAMES[1], false]]);

    const deployed = await deployEnforcement(security, first.generated.hash);
    expect(deployed.status).toBe('success');
    if (deployed.status !== 'success') return;
    expect(deployed.data.map((o) => [o.accountId, o.status, o.policies.map((p) => `${p.name} ${p.status} ${p.versionId}`)])).toEqual(
      [A, B, C].map((account) => [account, 'created', [`${NAMES[0]} created v1`, `${NAMES[1]} created v1`]]),
    );
    const attached = (await iam[A]!.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }))).AttachedPolicies!.map((p) => p.PolicyArn).sort();
    expect(attached).toEqual(NAMES.map((n) => enforcementPolicyArn(A, n)).sort());
    for (const [i, name] of NAMES.entries()) {
      const doc = await document(A, name, 'v1');
      expect(doc).toEqual(first.generated.members[i]!.document);
      expect(doc.Id).toBe(`MfaPortal${first.generated.hash}`);
    }
    expect((await previewEnforcement(security)).accounts.every((a) => a.upToDate)).toBe(true);

    // One deadline moves: the cohort's policy changes, and every policy of the set gets a new version of the same set.
    await category(cohort(1), days(50));
    const second = await previewEnforcement(security);
    expect(second.accounts[0]!.upToDate).toBe(false);
    expect(second.accounts[0]!.diff.filter((l) => l.kind === 'add').map((l) => l.text.trim())).toContain(`"aws:CurrentTime": "${days(50).toISOString().replace('.000', '')}"`);
    const r2 = await deployEnforcement(security, second.generated.hash);
    expect(r2.status === 'success' && r2.data.map((o) => o.policies.map((p) => `${p.status} ${p.versionId}`))).toEqual([A, B, C].map(() => ['updated v2', 'updated v2']));
    expect((await lastAudit('enforcement.deploy'))!.detail).toMatchObject({ status: 'updated', policies: [{ name: NAMES[0], status: 'updated' }, { name: NAMES[1], status: 'updated' }] });
    for (const name of NAMES) expect((await document(B, name, 'v2')).Id).toBe(`MfaPortal${second.generated.hash}`);

    // Rollback: the first policy's v1 brings back the other policy's version of the same deploy, together.
    expect(await rollbackEnforcement(security, A, 'v1')).toMatchObject({ status: 'success' });
    expect(await Promise.all(NAMES.map((n) => defaultOf(A, n)))).toEqual(['v1', 'v1']);
    expect(await Promise.all(NAMES.map((n) => defaultOf(B, n)))).toEqual(['v2', 'v2']);
    expect((await lastAudit('enforcement.rollback'))!.detail).toMatchObject({ before: { policies: { [NAMES[0]!]: 'v2', [NAMES[1]!]: 'v2' } }, after: { versionId: 'v1', policies: { [NAMES[0]!]: 'v1', [NAMES[1]!]: 'v1' } } });
    expect(String((await lastAudit('enforcement.rollback'))!.detail.diff)).toContain(`"aws:CurrentTime": "${days(1).toISOString().replace('.000', '')}"`);

    // The program shrinks to one policy: the second stays attached, holding only the tag guard, stamped with the set.
    await program(1);
    const third = await previewEnforcement(security);
    expect(third.generated.members.map((m) => m.name)).toEqual([NAMES[0]]);
    expect(third.accounts[0]!.desired.map((d) => [d.name, d.retired])).toEqual([[NAMES[0], false], [NAMES[1], true]]);
    const r3 = await deployEnforcement(security, third.generated.hash);
    expect(r3.status === 'success' && r3.data[0]!.policies.map((p) => `${p.name} ${p.status}`)).toEqual([`${NAMES[0]} updated`, `${NAMES[1]} updated`]);
    const retired = await document(A, NAMES[1]!, (await defaultOf(A, NAMES[1]!))!);
    expect(retired.Statement.map((s) => s.Sid)).toEqual(['OnlyThePortalChangesMfaTags']);
    expect(retired.Id).toBe(`MfaPortal${third.generated.hash}`);
    expect((await iam[A]!.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }))).AttachedPolicies!.length).toBe(2);
    expect((await previewEnforcement(security)).accounts.every((a) => a.upToDate)).toBe(true);
  }, 240_000);

  it('refuses when an enforced group has no room for the set beside its other managed policies, and names it', async () => {
    await program(12, 100);
    const others: string[] = [];
    try {
      // Nine other policies on the group in B: with the set's two, eleven.
      for (let i = 1; i <= 9; i++) {
        const out = await iam[B]!.send(new CreatePolicyCommand({ PolicyName: `enf-other-${i}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }) }));
        others.push(out.Policy!.Arn!);
        await iam[B]!.send(new AttachGroupPolicyCommand({ GroupName: GROUP, PolicyArn: out.Policy!.Arn! }));
      }
      const p = await previewEnforcement(security);
      expect(p.blockers).toHaveLength(1);
      expect(p.blockers[0]).toContain(`the group ${GROUP} has 9 other managed policies attached and the enforcement needs 2 policies: IAM attaches at most 10 to a group`);
      expect(p.blockers[0]).toContain(B);
      const before = await Promise.all(NAMES.map((n) => defaultOf(A, n)));
      expect(await deployEnforcement(security, p.generated.hash)).toMatchObject({ status: 'error', code: 'Refused' });
      expect(await Promise.all(NAMES.map((n) => defaultOf(A, n)))).toEqual(before);
    } finally {
      for (const arn of others) {
        await iam[B]!.send(new DetachGroupPolicyCommand({ GroupName: GROUP, PolicyArn: arn }));
        await iam[B]!.send(new DeletePolicyCommand({ PolicyArn: arn }));
      }
    }
    await expect(iam[B]!.send(new GetPolicyCommand({ PolicyArn: others[0] }))).rejects.toThrow();
  }, 120_000);

  it('a deploy that fails says which policy failed and which were not attempted, changes nothing else, and a deploy again finishes the set', async () => {
    await program(12, 200);
    const p = await previewEnforcement(security);
    expect(p.blockers).toEqual([]);
    const before = await Promise.all(NAMES.map((n) => defaultOf(A, n)));
    // Every new version fails (the SDK's retries too) until the rule is cleared.
    expect((await fetch(faults(), { method: 'POST', body: JSON.stringify({ action: 'CreatePolicyVersion', kind: '5xx', times: 1000 }) })).ok).toBe(true);
    const r = await deployEnforcement(security, p.generated.hash);
    expect(r.status).toBe('success');
    if (r.status !== 'success') return;
    expect(r.message).toMatch(/failed/);
    const a = r.data.find((o) => o.accountId === A)!;
    expect(a).toMatchObject({ status: 'failed', error: `${NAMES[0]}: AWS could not be reached or failed; try again in a minute. Not attempted: ${NAMES[1]}.` });
    expect(a.policies.map((x) => `${x.name} ${x.status}`)).toEqual([`${NAMES[0]} failed`, `${NAMES[1]} not attempted`]);
    expect(await lastAudit('enforcement.deploy')).toMatchObject({ outcome: 'failure' });
    expect(await Promise.all(NAMES.map((n) => defaultOf(A, n)))).toEqual(before);

    await fetch(faults(), { method: 'DELETE' });
    const again = await deployEnforcement(security, p.generated.hash);
    expect(again.status === 'success' && again.data.map((o) => o.status)).toEqual(['updated', 'updated', 'updated']);
    expect((await previewEnforcement(security)).accounts.every((x) => x.upToDate)).toBe(true);
  }, 120_000);
});
