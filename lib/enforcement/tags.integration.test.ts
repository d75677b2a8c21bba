import { beforeAll, describe, expect, it } from 'vitest';
import { AddUserToGroupCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { A, category, days, GROUP, inventory, lastAudit, security, stack, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import { createTestActor } from '@/test-support/iam-cleanup';
import type { Db } from '@/lib/db/client';
import { programDecisions } from '@/lib/db/schema';
import { deployEnforcement } from './deploy';
import { previewEnforcement } from './preview';
import { setDefaultCohort } from './program';
import { applyTagDrift, getTagDrift } from './tags';

// Tag reconciliation against the local stack: an approved exception blocks a deploy until its tags exempt it.

setUpEnforcementStack();
let db: Db;
const { iam, created } = stack;
beforeAll(() => {
  ({ db } = stack);
});

describe('tag reconciliation before a deploy', () => {
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
});
