/**
 * The enforcement policy, proven: every combination of the dimensions below is evaluated by an IAM policy simulator
 * together with an identity policy that allows everything (an admin-ish user), and the decision must equal an
 * oracle written from the rules in plain words (DESIGN.md "Enforcement policy", AWS-FACTS.md pain points 2 and 8).
 *
 * @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency for tests only. The last describe fails if shipped code
 * imports it or package.json lists it as a runtime dependency.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { buildPolicy, COHORT_TAG, EXEMPT_TAG, SELF_SERVICE_ACTIONS, type EnforcementInput } from './policy';

const ACCOUNT = '111111111111';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const PORTAL_ROLE = 'MfaPortalMember';
const PORTAL_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${PORTAL_ROLE}`;
const PORTAL_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/${PORTAL_ROLE}/mfa-portal`;
const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

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

/** 'absent': long-term access keys, where the key is missing from the request context (pain point 8). */
type Mfa = 'true' | 'false' | 'absent';
const MFA_STATES: Mfa[] = ['true', 'false', 'absent'];

type Principal = { label: string; arn: string; principalArn: string; tags: Record<string, string>; isPortalRole: boolean };
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

/**
 * The oracle's own list (from DESIGN.md and AWS-FACTS.md, not read from the generator) of what a user without MFA may
 * still do: change a password that must be changed at first sign-in, see themselves and their devices, enroll, resync,
 * clean up a failed set-up, and trade access keys plus a code for an MFA session.
 */
const WITHOUT_MFA_STILL_ALLOWED = new Set([
  'iam:ChangePassword',
  'iam:GetAccountPasswordPolicy',
  'iam:GetUser',
  'iam:ListMFADevices',
  'iam:GetMFADevice',
  'iam:ListVirtualMFADevices',
  'iam:CreateVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:ResyncMFADevice',
  'iam:DeleteVirtualMFADevice',
  'sts:GetSessionToken',
]);

type Request = { action: string; resource: string; tagKeys?: string[]; context?: Record<string, string> };
const MFA_DEVICE_ARN = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;
/** A real resource of the right type for each action ('*' where the action has no resource type). */
const RESOURCE_OF: Record<string, string> = {
  's3:ListAllMyBuckets': '*',
  'ec2:DescribeInstances': '*',
  'iam:CreateUser': `arn:aws:iam::${ACCOUNT}:user/new-hire`,
  'iam:ChangePassword': USER_ARN,
  'iam:CreateVirtualMFADevice': MFA_DEVICE_ARN,
  'iam:DeleteVirtualMFADevice': MFA_DEVICE_ARN,
  'iam:EnableMFADevice': USER_ARN,
  'iam:GetAccountPasswordPolicy': '*',
  'iam:GetMFADevice': USER_ARN,
  'iam:GetUser': USER_ARN,
  'iam:ListMFADevices': USER_ARN,
  'iam:ListVirtualMFADevices': '*',
  'iam:ResyncMFADevice': USER_ARN,
  'sts:GetSessionToken': '*',
  'iam:TagUser': USER_ARN,
  'iam:UntagUser': USER_ARN,
};
function request(action: string, tagKeys?: string[]): Request {
  const resource = RESOURCE_OF[action];
  if (!resource) throw new Error(`add a resource for ${action} to RESOURCE_OF`);
  return tagKeys ? { action, resource, tagKeys } : { action, resource };
}
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

// ---------------------------------------------------------------------------------------------------------------
// The oracle: the rules in plain words, independent of how the policy expresses them.

function expected(program: EnforcementInput, who: Principal, mfa: Mfa, now: Date, req: Request): EvaluationResult {
  // Only the portal's role may add or remove an mfa-* tag, whatever the letter case of the key.
  const touchesAnMfaTag = (req.tagKeys ?? []).some((k) => k.toLowerCase().startsWith('mfa-'));
  if (touchesAnMfaTag && !who.isPortalRole) return 'ExplicitlyDenied';
  // A principal's cohort is its mfa-cohort tag when that names one of the program's cohorts; otherwise (no tag, or a
  // tag naming no cohort, e.g. of a deleted category) it is the default cohort, and with no default it is enforced by
  // nothing.
  const tagged = who.tags[COHORT_TAG];
  const programCohorts = program.cohorts.map((c) => c.cohort);
  const cohort = tagged !== undefined && programCohorts.includes(tagged) ? tagged : program.defaultCohort;
  const deadline = program.cohorts.find((c) => c.cohort === cohort)?.deadline;
  const exempt = who.tags[EXEMPT_TAG] === 'true';
  const enforced = deadline !== undefined && !exempt && mfa !== 'true' && now.getTime() > deadline.getTime();
  if (enforced && !WITHOUT_MFA_STILL_ALLOWED.has(req.action)) return 'ExplicitlyDenied';
  // A cohort that counts only certified keys may not activate a key with no certification, whenever and however
  // signed in (the key would never count); creating the registration, and certified keys, are fine.
  const certifiedOnly = program.cohorts.find((c) => c.cohort === cohort)?.requireCertifiedKey === true;
  const activatesUncertifiedKey =
    req.context?.['iam:RegisterSecurityKey'] === 'Activate' && !Object.keys(req.context).some((k) => /^iam:FIDO-.*certification$/.test(k));
  if (certifiedOnly && !exempt && activatesUncertifiedKey) return 'ExplicitlyDenied';
  return 'Allowed';
}

// ---------------------------------------------------------------------------------------------------------------
// The simulator.

const policyCache = new Map<EnforcementInput, ReturnType<typeof buildPolicy>>();

async function simulate(program: EnforcementInput, who: Principal, mfa: Mfa, now: Date, req: Request, extraTags: Record<string, string> = {}): Promise<EvaluationResult> {
  let policy = policyCache.get(program);
  if (!policy) policyCache.set(program, (policy = buildPolicy(program)));
  const context: Record<string, string | string[]> = { 'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'aws:PrincipalArn': who.principalArn };
  if (mfa !== 'absent') context['aws:MultiFactorAuthPresent'] = mfa;
  for (const [k, v] of Object.entries({ ...who.tags, ...extraTags })) context[`aws:PrincipalTag/${k}`] = v;
  if (req.tagKeys) context['aws:TagKeys'] = req.tagKeys;
  Object.assign(context, req.context);
  const result = await runSimulation(
    {
      request: { principal: who.arn, action: req.action, resource: { resource: req.resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [
        { name: 'AllowEverything', policy: ALLOW_EVERYTHING },
        { name: 'MfaEnforcement', policy },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // A rejected input or a context key the simulator drops would make a case pass for the wrong reason.
  if (result.resultType !== 'single') throw new Error(`${req.action}: simulator returned ${result.resultType}: ${JSON.stringify(result.resultType === 'error' ? result.errors : result.results)}`);
  if (result.result.ignoredContextKeys?.length) throw new Error(`${req.action}: simulator ignored ${result.result.ignoredContextKeys.join(', ')}`);
  return result.overallResult;
}

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

describe('the simulator stays out of shipped code (AGPL-3.0)', () => {
  const thisFile = fileURLToPath(import.meta.url);
  const root = path.resolve(path.dirname(thisFile), '../..');
  const NAMES = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-utils'];
  const SKIP_DIRS = new Set(['node_modules', '.next', 'cdk.out']);
  const isTest = (file: string) => /\.test\.tsx?$/.test(file);
  const mentions = (text: string) => NAMES.filter((n) => text.includes(n));

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith('.') ? [] : sourceFiles(p);
      return /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(e.name) ? [p] : [];
    });
  }

  it('only test files mention it', () => {
    const topLevel = readdirSync(root).filter((f) => f === 'proxy.ts' || /^instrumentation.*\.ts$/.test(f) || /^next\.config\./.test(f));
    expect(topLevel).toEqual(expect.arrayContaining(['proxy.ts', 'instrumentation.ts']));
    const files = [
      ...['app', 'lib', 'components', 'infra'].flatMap((d) => (statSync(path.join(root, d), { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(path.join(root, d)) : [])),
      ...topLevel.map((f) => path.join(root, f)),
    ];
    expect(files.length).toBeGreaterThan(50);
    // The scan can see it: this file names it.
    expect(mentions(readFileSync(thisFile, 'utf8'))).toContain('@cloud-copilot/iam-simulate');
    const offenders = files.filter((f) => !isTest(f) && mentions(readFileSync(f, 'utf8')).length > 0).map((f) => path.relative(root, f));
    expect(offenders, 'shipped code must not import the AGPL simulator').toEqual([]);
  });

  it('is a devDependency only, and so is everything it pulls in', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(pkg.devDependencies?.['@cloud-copilot/iam-simulate']).toBeDefined();
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
      for (const name of NAMES) expect(pkg[field]?.[name], `${name} in ${field}`).toBeUndefined();
    // npm marks a package "dev" only when nothing but devDependencies reaches it.
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const simulatorPackages = Object.entries(lock.packages).filter(([p]) => NAMES.some((n) => p.endsWith(`node_modules/${n}`)));
    expect(simulatorPackages.length).toBeGreaterThanOrEqual(NAMES.length);
    for (const [p, entry] of simulatorPackages) expect(entry.dev, p).toBe(true);
  });
});
