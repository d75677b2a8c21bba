/**
 * Per-user windows, proven (issue 15): the enforcement set of a program plus a user's attached window policy, with and
 * without the mfa-window tag, evaluated by an IAM simulator against the oracle in plain words
 * (test-support/enforcement-simulator.ts): a user with a window is denied without MFA only after the window's end; the
 * tag takes the user out of their cohort's deadline; a window policy without the tag (a crash between attach and tag)
 * adds its deny to the cohort's (stricter, never neither); a tag without the policy is drift, which nothing denies.
 *
 * @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency for tests only (simulator-license.test.ts keeps it so).
 */
import { describe, expect, it } from 'vitest';
import { COHORT_TAG, EXEMPT_TAG, SELF_SERVICE_ACTIONS, type EnforcementInput } from '@/lib/enforcement/policy';
import { expected, PORTAL_ROLE, request, simulate, USER_ARN, type Mfa, type Principal } from '@/test-support/enforcement-simulator';
import { WINDOW_TAG, windowDocument, windowPolicyName, windowTagValue } from './policy';

const DEADLINE = new Date('2027-01-31T17:00:00Z');
/** Extensions and new-user windows end at 00:00 UTC; graces at the minute. */
const WINDOW_ENDS = [new Date('2027-02-14T00:00:00Z'), new Date('2027-01-31T17:30:00Z')];
const PROGRAMS: EnforcementInput[] = [
  // The user's cohort is named by their tag.
  { cohorts: [{ cohort: 'prod-admins', deadline: DEADLINE }, { cohort: 'dev', deadline: new Date('2027-03-01T17:00:00Z') }], defaultCohort: null, portalRoleName: PORTAL_ROLE },
  // Every user falls to the default cohort.
  { cohorts: [{ cohort: 'prod-admins', deadline: DEADLINE }], defaultCohort: 'prod-admins', portalRoleName: PORTAL_ROLE },
];
const MFA_STATES: Mfa[] = ['true', 'false', 'absent'];
const REQUESTS = [
  ...['s3:ListAllMyBuckets', 'ec2:DescribeInstances', 'iam:CreateUser'].map((a) => request(a)),
  ...[...SELF_SERVICE_ACTIONS].map((a) => request(a)),
  // Only the portal's role may write the window tag, in any letter case.
  ...[[WINDOW_TAG], ['MFA-Window']].flatMap((keys) => ['iam:TagUser', 'iam:UntagUser'].map((a) => request(a, keys))),
];

type Case = { label: string; who: Principal; windowEnd: Date | null };
function cases(end: Date): Case[] {
  const out: Case[] = [];
  for (const cohort of ['prod-admins', undefined])
    for (const exempt of [false, true])
      for (const tag of ['matching', 'absent', 'other'] as const)
        for (const policy of [true, false]) {
          const tags: Record<string, string> = {};
          if (cohort) tags[COHORT_TAG] = cohort;
          if (exempt) tags[EXEMPT_TAG] = 'true';
          if (tag === 'matching') tags[WINDOW_TAG] = windowTagValue(end);
          if (tag === 'other') tags[WINDOW_TAG] = 'not-a-date';
          const label = `user alice (${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ') || 'no mfa-* tags'}; window policy ${policy ? 'attached' : 'not attached'})`;
          out.push({ label, who: { label, arn: USER_ARN, principalArn: USER_ARN, tags, isPortalRole: false }, windowEnd: policy ? end : null });
        }
  return out;
}
const timesFor = (end: Date) =>
  [DEADLINE, end].flatMap((t, i) =>
    [-1, 0, 1].map((s) => ({ label: `${s < 0 ? '1s before' : s > 0 ? '1s after' : 'at'} the ${i === 0 ? 'cohort deadline' : 'window end'}`, at: new Date(t.getTime() + s * 1000) })),
  );

describe('per-user windows under an IAM simulator: the truth table', () => {
  it.each(PROGRAMS.flatMap((program) => WINDOW_ENDS.map((end) => [program.defaultCohort ?? 'none', end.toISOString(), program, end] as const)))(
    'every case matches the oracle (default cohort %s, window until %s)',
    async (_default, _end, program, end) => {
      const windowPolicy = { name: windowPolicyName('MfaEnforcement', end), policy: windowDocument(end) };
      const mismatches: string[] = [];
      let checked = 0;
      for (const time of timesFor(end))
        for (const mfa of MFA_STATES)
          for (const c of cases(end))
            for (const req of REQUESTS) {
              const got = await simulate(program, c.who, mfa, time.at, req, {}, c.windowEnd ? [windowPolicy] : []);
              const want = expected(program, c.who, mfa, time.at, req, c.windowEnd);
              if (got !== want) mismatches.push(`${time.label} | MFA ${mfa} | ${c.label} | ${req.action}${req.tagKeys ? ` [${req.tagKeys}]` : ''} → simulator ${got}, oracle ${want}`);
              checked++;
            }
      expect(mismatches.slice(0, 25), `${mismatches.length} of ${checked} cases differ from the oracle`).toEqual([]);
      // 6 times × 3 MFA states × 24 users × 18 requests
      expect(checked).toBe(6 * 3 * 24 * (3 + 11 + 4));
    },
    180_000,
  );

  it('the cases that matter, in words', async () => {
    const program = PROGRAMS[0]!;
    const end = WINDOW_ENDS[0]!;
    const windowPolicy = [{ name: windowPolicyName('MfaEnforcement', end), policy: windowDocument(end) }];
    const alice = (tags: Record<string, string>): Principal => ({ label: 'alice', arn: USER_ARN, principalArn: USER_ARN, tags: { [COHORT_TAG]: 'prod-admins', ...tags }, isPortalRole: false });
    const ordinary = request('s3:ListAllMyBuckets');
    const between = new Date(DEADLINE.getTime() + 86_400_000);
    const after = new Date(end.getTime() + 1000);
    const withWindow = alice({ [WINDOW_TAG]: windowTagValue(end) });
    // Past the cohort deadline, within the window: allowed without MFA; after the window's end: denied, unless MFA.
    expect(await simulate(program, withWindow, 'false', between, ordinary, {}, windowPolicy)).toBe('Allowed');
    expect(await simulate(program, withWindow, 'false', after, ordinary, {}, windowPolicy)).toBe('ExplicitlyDenied');
    expect(await simulate(program, withWindow, 'absent', after, ordinary, {}, windowPolicy)).toBe('ExplicitlyDenied');
    expect(await simulate(program, withWindow, 'true', after, ordinary, {}, windowPolicy)).toBe('Allowed');
    expect(await simulate(program, withWindow, 'false', after, request('iam:EnableMFADevice'), {}, windowPolicy)).toBe('Allowed');
    // A crash after attach, before the tag: the cohort's deadline still applies (stricter).
    expect(await simulate(program, alice({}), 'false', between, ordinary, {}, windowPolicy)).toBe('ExplicitlyDenied');
    // The tag without the policy: drift, nothing denies; the portal repairs it (lib/windows/repair.ts).
    expect(await simulate(program, withWindow, 'false', after, ordinary)).toBe('Allowed');
    // The user cannot give themselves a window.
    expect(await simulate(program, alice({}), 'true', between, request('iam:TagUser', ['mfa-window']))).toBe('ExplicitlyDenied');
  });
});
