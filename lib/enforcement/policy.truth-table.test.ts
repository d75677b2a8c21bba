/**
 * The enforcement policy, proven: every combination of the dimensions below is evaluated by an IAM policy simulator
 * together with an identity policy that allows everything (an admin-ish user), and the decision must equal an
 * oracle written from the rules in plain words (DESIGN.md "Enforcement policy", AWS-FACTS.md pain points 2 and 8).
 *
 * @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency for tests only (simulator-license.test.ts keeps it so).
 */
import { describe, expect, it } from 'vitest';
import { COHORT_TAG, EXEMPT_TAG, SELF_SERVICE_ACTIONS, type EnforcementInput } from './policy';
import { expected, PORTAL_ROLE, PORTAL_ROLE_ARN, PORTAL_SESSION_ARN, request, simulate, USER_ARN, WITHOUT_MFA_STILL_ALLOWED, type Mfa, type Principal, type Request } from '@/test-support/enforcement-simulator';

// Whole seconds: IAM dates in the policy carry no milliseconds.
const COHORTS = [
  { cohort: 'prod-admins', deadline: new Date('2027-01-31T17:00:00Z') },
  { cohort: 'dev', deadline: new Date('2027-03-01T17:00:00Z') },
];
const PROGRAMS: EnforcementInput[] = [
  { cohorts: COHORTS, defaultCohort: 'dev', portalRoleName: PORTAL_ROLE },
  { cohorts: COHORTS, defaultCohort: null, portalRoleName: PORTAL_ROLE },
  // The default due before another cohort: that cohort's users must wait for their own deadline.
  { cohorts: COHORTS, defaultCohort: 'prod-admins', portalRoleName: PORTAL_ROLE },
  // The default cohort alone: every tag, also prod-admins (not a cohort here), falls to it.
  { cohorts: COHORTS.filter((c) => c.cohort === 'dev'), defaultCohort: 'dev', portalRoleName: PORTAL_ROLE },
  // A cohort that counts only certified security keys: a named one, then the default one.
  { cohorts: COHORTS.map((c) => ({ ...c, requireCertifiedKey: c.cohort === 'prod-admins' })), defaultCohort: 'dev', portalRoleName: PORTAL_ROLE },
  { cohorts: COHORTS.map((c) => ({ ...c, requireCertifiedKey: c.cohort === 'dev' })), defaultCohort: 'dev', portalRoleName: PORTAL_ROLE },
];

/** Before, exactly at and after each cohort's deadline (DateGreaterThan is strict: at the deadline nothing is denied yet). */
const TIMES = COHORTS.flatMap(({ cohort, deadline }) =>
  [-1, 0, 1].map((s) => ({ label: `${s < 0 ? '1s before' : s > 0 ? '1s after' : 'at'} the ${cohort} deadline`, at: new Date(deadline.getTime() + s * 1000) })),
);

const MFA_STATES: Mfa[] = ['true', 'false', 'absent'];

const USERS: Principal[] = ['prod-admins', 'dev', undefined, 'contractors' /* a cohort the program does not know */].flatMap((cohort) =>
  [undefined, 'true', 'false'].map((exempt): Principal => {
    const tags: Record<string, string> = {};
    if (cohort !== undefined) tags[COHORT_TAG] = cohort;
    if (exempt !== undefined) tags[EXEMPT_TAG] = exempt;
    const label = `user alice (${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ') || 'no mfa-* tags'})`;
    return { label, arn: USER_ARN, principalArn: USER_ARN, tags, isPortalRole: false };
  }),
);
/**
 * The portal's role, untagged. The policy is attached to users (through a group); these rows evaluate it as if it
 * were attached to the role as well, the only way the tag guard's exception for the role can matter.
 */
const PORTAL: Principal = { label: 'the portal role', arn: PORTAL_SESSION_ARN, principalArn: PORTAL_ROLE_ARN, tags: {}, isPortalRole: true };
const PRINCIPALS = [...USERS, PORTAL];

const TAG_KEY_SETS = [
  [COHORT_TAG],
  [EXEMPT_TAG],
  ['team', 'MFA-Exempt'], // one mfa key among others, in another letter case
  ['mFa-exempt'], // IAM user tag keys ignore case: this is the mfa-exempt tag
  ['team'],
];
/** The two steps of a security key registration in the console, with what the FIDO metadata service says of the key. */
const KEY_REGISTRATIONS: Record<string, string>[] = [
  { 'iam:RegisterSecurityKey': 'Create' },
  { 'iam:RegisterSecurityKey': 'Activate' }, // a key with no certification (or a synced passkey)
  { 'iam:RegisterSecurityKey': 'Activate', 'iam:FIDO-certification': 'L1' },
  { 'iam:RegisterSecurityKey': 'Activate', 'iam:FIDO-FIPS-140-2-certification': 'L2' },
  { 'iam:RegisterSecurityKey': 'Activate', 'iam:FIDO-FIPS-140-3-certification': 'L3' },
];
const REQUESTS: Request[] = [
  ...['s3:ListAllMyBuckets', 'ec2:DescribeInstances', 'iam:CreateUser'].map((a) => request(a)),
  // Both lists: an action the generator drops, or adds without the rules saying so, shows up as a difference.
  ...[...new Set<string>([...SELF_SERVICE_ACTIONS, ...WITHOUT_MFA_STILL_ALLOWED])].sort().map((a) => request(a)),
  ...['iam:CreateUser', 'iam:TagUser', 'iam:UntagUser'].flatMap((a) => TAG_KEY_SETS.map((keys) => request(a, keys))),
  ...KEY_REGISTRATIONS.map((context) => ({ ...request('iam:EnableMFADevice'), context })),
];


const describeCase = (program: EnforcementInput, who: Principal, mfa: Mfa, time: (typeof TIMES)[number], req: Request) =>
  [
    `default cohort ${program.defaultCohort ?? 'none'}`,
    `${time.label} (${time.at.toISOString()})`,
    `MFA ${mfa}`,
    who.label,
    `${req.action}${req.tagKeys ? ` [${req.tagKeys.join(', ')}]` : ''}${req.context ? ` ${JSON.stringify(req.context)}` : ''}`,
  ].join(' | ');

describe('the enforcement policy under an IAM simulator: exhaustive truth table', () => {
  it('has the dimensions it claims', () => {
    expect(PROGRAMS).toHaveLength(6);
    expect(TIMES).toHaveLength(6);
    expect(PRINCIPALS).toHaveLength(13);
    expect(REQUESTS).toHaveLength(3 + 11 + 15 + 5);
  });

  it.each(PROGRAMS.map((p) => [p.defaultCohort ?? 'none', p.cohorts.map((c) => `${c.cohort}${c.requireCertifiedKey ? ' (certified keys)' : ''}`).join(', '), p] as const))('every case matches the oracle (default cohort %s, cohorts %s)', async (_default, _cohorts, program) => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const time of TIMES)
      for (const mfa of MFA_STATES)
        for (const who of PRINCIPALS)
          for (const req of REQUESTS) {
            const got = await simulate(program, who, mfa, time.at, req);
            const want = expected(program, who, mfa, time.at, req);
            if (got !== want) mismatches.push(`${describeCase(program, who, mfa, time, req)} → simulator ${got}, oracle ${want}`);
            checked++;
          }
    expect(mismatches.slice(0, 25), `${mismatches.length} of ${checked} cases differ from the oracle`).toEqual([]);
    // 6 times × 3 MFA states × 13 principals × 34 requests
    expect(checked).toBe(7956);
  }, 180_000);
});

describe('the known traps', () => {
  const program = PROGRAMS[0]!;
  const alice: Principal = USERS.find((u) => u.tags[COHORT_TAG] === 'prod-admins' && !(EXEMPT_TAG in u.tags))!;
  const afterEveryDeadline = new Date(Math.max(...COHORTS.map((c) => c.deadline.getTime())) + 86_400_000);

  it('a first sign-in that must change its password', async () => {
    // Console sign-in with a password only, after the deadline, no device yet.
    const console_ = (action: string) => simulate(program, alice, 'false', afterEveryDeadline, request(action));
    expect(await console_('iam:ChangePassword')).toBe('Allowed');
    expect(await console_('iam:GetAccountPasswordPolicy')).toBe('Allowed');
    expect(await console_('iam:CreateVirtualMFADevice')).toBe('Allowed');
    expect(await console_('iam:EnableMFADevice')).toBe('Allowed');
    expect(await console_('s3:ListAllMyBuckets')).toBe('ExplicitlyDenied');
  });

  it('a cohort tag that names no cohort of the program (a deleted category) falls to the default cohort', async () => {
    const contractor = USERS.find((u) => u.tags[COHORT_TAG] === 'contractors' && !(EXEMPT_TAG in u.tags))!;
    const ordinary = request('s3:ListAllMyBuckets');
    const devDeadline = COHORTS.find((c) => c.cohort === 'dev')!.deadline.getTime();
    expect(await simulate(program, contractor, 'false', new Date(devDeadline + 1000), ordinary)).toBe('ExplicitlyDenied');
    expect(await simulate(program, contractor, 'false', new Date(devDeadline), ordinary)).toBe('Allowed');
    // Without a default cohort nothing takes it.
    expect(await simulate(PROGRAMS[1]!, contractor, 'false', afterEveryDeadline, ordinary)).toBe('Allowed');
  });

  it('a CLI user getting a session token with MFA', async () => {
    const withKeys = (action: string) => simulate(program, alice, 'absent', afterEveryDeadline, request(action));
    const withMfaSession = (action: string) => simulate(program, alice, 'true', afterEveryDeadline, request(action));
    expect(await withKeys('sts:GetSessionToken')).toBe('Allowed');
    expect(await withMfaSession('s3:ListAllMyBuckets')).toBe('Allowed');
    expect(await withKeys('s3:ListAllMyBuckets')).toBe('ExplicitlyDenied');
  });

  it('an mfa tag in another letter case counts (why the guard lists every casing of "mfa-")', async () => {
    const untagged = USERS.find((u) => Object.keys(u.tags).length === 0)!;
    const ordinary = request('s3:ListAllMyBuckets');
    expect(await simulate(program, untagged, 'false', afterEveryDeadline, ordinary)).toBe('ExplicitlyDenied');
    expect(await simulate(program, untagged, 'false', afterEveryDeadline, ordinary, { 'mFa-Exempt': 'true' })).toBe('Allowed');
    const before = new Date(COHORTS[0]!.deadline.getTime() - 86_400_000);
    for (const key of ['mfa-exempt', 'MFA-EXEMPT', 'mFa-Exempt', 'mfA-exempt']) {
      expect(await simulate(program, untagged, 'true', before, request('iam:TagUser', [key])), key).toBe('ExplicitlyDenied');
      expect(await simulate(program, PORTAL, 'false', before, request('iam:TagUser', [key])), key).toBe('Allowed');
    }
  });
});

describe('certified security keys', () => {
  const program = PROGRAMS[4]!;
  const alice: Principal = USERS.find((u) => u.tags[COHORT_TAG] === 'prod-admins' && !(EXEMPT_TAG in u.tags))!;
  const bob: Principal = USERS.find((u) => u.tags[COHORT_TAG] === 'dev' && !(EXEMPT_TAG in u.tags))!;
  const before = new Date(COHORTS[0]!.deadline.getTime() - 86_400_000);
  const activate = (certs: Record<string, string>) => ({ ...request('iam:EnableMFADevice'), context: { 'iam:RegisterSecurityKey': 'Activate', ...certs } });

  it('an operator of a certified-keys cohort cannot activate a passkey, even before the deadline and with MFA; a certified key is fine', async () => {
    expect(await simulate(program, alice, 'true', before, activate({}))).toBe('ExplicitlyDenied');
    expect(await simulate(program, alice, 'true', before, activate({ 'iam:FIDO-FIPS-140-3-certification': 'L2' }))).toBe('Allowed');
    expect(await simulate(program, alice, 'true', before, { ...request('iam:EnableMFADevice'), context: { 'iam:RegisterSecurityKey': 'Create' } })).toBe('Allowed');
    // A virtual device or a hardware token carries no registration key: not this statement's business.
    expect(await simulate(program, alice, 'false', before, request('iam:EnableMFADevice'))).toBe('Allowed');
    // Another cohort registers what it likes.
    expect(await simulate(program, bob, 'true', before, activate({}))).toBe('Allowed');
  });
});
