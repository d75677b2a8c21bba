/**
 * The policy set under an IAM simulator: a program too large for one managed policy, every policy of its set evaluated
 * together, against the same oracle as policy.truth-table.test.ts (test-support/enforcement-simulator.ts).
 */
import { describe, expect, it } from 'vitest';
import { COHORT_TAG, EXEMPT_TAG, type EnforcementInput } from './policy';
import { expected, policiesOf, PORTAL_ROLE, request, simulate, USER_ARN, type Principal } from '@/test-support/enforcement-simulator';

describe('a 20-cohort program, spread over several managed policies evaluated together', () => {
  // Twenty deadlines a week apart, the default cohort in the middle, three counting only certified keys.
  const cohorts = Array.from({ length: 20 }, (_, i) => ({
    cohort: `wave-${String(i + 1).padStart(2, '0')}-operations`,
    deadline: new Date(Date.UTC(2027, 0, 4 + 7 * i, 17)),
    requireCertifiedKey: i % 7 === 3,
  }));
  const program: EnforcementInput = { cohorts, defaultCohort: cohorts[9]!.cohort, portalRoleName: PORTAL_ROLE };
  const user = (tags: Record<string, string>): Principal => ({ label: `user alice (${JSON.stringify(tags)})`, arn: USER_ARN, principalArn: USER_ARN, tags, isPortalRole: false });
  const principals = [
    ...cohorts.map((c) => user({ [COHORT_TAG]: c.cohort })),
    user({}),
    user({ [COHORT_TAG]: 'contractors' }),
    user({ [COHORT_TAG]: cohorts[0]!.cohort, [EXEMPT_TAG]: 'true' }),
  ];
  const times = cohorts.flatMap((c) => [-1, 1].map((s) => ({ label: `${s < 0 ? '1s before' : '1s after'} the ${c.cohort} deadline`, at: new Date(c.deadline.getTime() + s * 1000) })));

  it('needs more than one policy', () => {
    expect(policiesOf(program).length).toBeGreaterThan(1);
    expect(policiesOf(program).map((p) => p.name)[1]).toBe('MfaEnforcement-2');
  });

  it("each cohort's users are denied after their own deadline only, the untagged and unknown after the default's", async () => {
    const requests = [request('s3:ListAllMyBuckets'), request('iam:ChangePassword')];
    const mismatches: string[] = [];
    let checked = 0;
    let denied = 0;
    for (const time of times)
      for (const who of principals)
        for (const req of requests) {
          const got = await simulate(program, who, 'false', time.at, req);
          const want = expected(program, who, 'false', time.at, req);
          if (got !== want) mismatches.push(`${time.label} | ${who.label} | ${req.action} → simulator ${got}, oracle ${want}`);
          if (got === 'ExplicitlyDenied') denied++;
          checked++;
        }
    expect(mismatches.slice(0, 25), `${mismatches.length} of ${checked} cases differ from the oracle`).toEqual([]);
    // 40 times × 23 principals × 2 requests.
    expect(checked).toBe(1840);
    expect(denied).toBeGreaterThan(0);
  }, 180_000);

  it('with MFA, or exempt, nobody is denied; the tag guard and the certified-key guards hold in whichever policy they sit', async () => {
    const last = times.at(-1)!.at;
    for (const who of principals.slice(0, 20)) expect(await simulate(program, who, 'true', last, request('s3:ListAllMyBuckets')), who.label).toBe('Allowed');
    expect(await simulate(program, principals[22]!, 'false', last, request('s3:ListAllMyBuckets'))).toBe('Allowed');
    expect(await simulate(program, principals[0]!, 'true', last, request('iam:TagUser', ['mfa-exempt']))).toBe('ExplicitlyDenied');
    const activate = { ...request('iam:EnableMFADevice'), context: { 'iam:RegisterSecurityKey': 'Activate' } };
    for (const [i, who] of principals.slice(0, 20).entries())
      expect(await simulate(program, who, 'true', times[0]!.at, activate), who.label).toBe(cohorts[i]!.requireCertifiedKey ? 'ExplicitlyDenied' : 'Allowed');
  });
});
