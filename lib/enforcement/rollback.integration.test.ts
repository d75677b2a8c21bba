import { beforeAll, describe, expect, it } from 'vitest';
import { A, B, C, category, days, GROUP, inventory, lastAudit, security, stack, setUpEnforcementStack, versionsOf } from '@/test-support/enforcement-stack';
import type { Db } from '@/lib/db/client';
import { programDecisions } from '@/lib/db/schema';
import { deployEnforcement } from './deploy';
import { previewEnforcement } from './preview';
import { setDefaultCohort } from './program';
import { rollbackEnforcement } from './rollback';

// Rollback of the enforcement policy against the local stack: pruning after it, and what it checks.

setUpEnforcementStack();
let db: Db;
let portalUser: string;
beforeAll(() => {
  ({ db, portalUser } = stack);
});

describe('rollback: pruning after it, and what it checks', () => {
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
