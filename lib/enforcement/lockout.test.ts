/**
 * The rollback's lockout check, against an IAM simulator: for each document (generated now, and as the generator wrote
 * the default cohort before unknown tags fell to it) and each set of tags, "denied from T" must mean the simulator
 * denies sts:AssumeRole with long-term keys (no MFA key) exactly after T. The simulator is AGPL-3.0 and test-only
 * (see simulator-license.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { roleArn, userArn } from '@/lib/iam-identifiers';
import { buildPolicy, COHORT_TAG, EXEMPT_TAG, policyJson, SELF_SERVICE_ACTIONS, WINDOW_TAG } from './policy';
import { denialForKeyUser } from './lockout';

const ACCOUNT = '333333333333';
const USER_ARN = userArn(ACCOUNT, 'mfa-portal');
const ROLE_ARN = roleArn(ACCOUNT, 'MfaPortalMember');
const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const PROD = { cohort: 'prod-admins', deadline: new Date('2027-01-31T17:00:00Z') };
const DEV = { cohort: 'dev', deadline: new Date('2027-03-01T17:00:00Z') };
const generated = (cohorts: (typeof PROD)[], defaultCohort: string | null) => policyJson(buildPolicy({ cohorts, defaultCohort, portalRoleName: 'MfaPortalMember' }));

/** What the generator deployed before unknown cohort tags fell to the default: the default matched StringEqualsIfExists. */
const OLD_STYLE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [PROD, DEV].map((c) => ({
    Sid: `Old${c.cohort.replace('-', '')}`,
    Effect: 'Deny',
    NotAction: [...SELF_SERVICE_ACTIONS],
    Resource: '*',
    Condition: {
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      DateGreaterThan: { 'aws:CurrentTime': c.deadline.toISOString().replace('.000', '') },
      [c === DEV ? 'StringEqualsIfExists' : 'StringEquals']: { [`aws:PrincipalTag/${COHORT_TAG}`]: c.cohort },
      StringNotEqualsIfExists: { [`aws:PrincipalTag/${EXEMPT_TAG}`]: 'true' },
    },
  })),
});

const DOCUMENTS: [string, string][] = [
  ['default dev', generated([PROD, DEV], 'dev')],
  ['no default', generated([PROD, DEV], null)],
  ['default prod-admins', generated([PROD, DEV], 'prod-admins')],
  ['the default alone', generated([DEV], 'dev')],
  ['no cohorts', generated([], null)],
  ['old style, default dev', OLD_STYLE],
];
const TAG_SETS: Record<string, string>[] = [undefined, 'prod-admins', 'dev', 'contractors'].flatMap((cohort) =>
  [undefined, 'true', 'false'].flatMap((exempt) =>
    // With a per-user window (lib/windows) the cohort statements do not apply (Null on the mfa-window tag).
    [undefined, '2027-02-14T00:00Z'].map((window) => ({ ...(cohort ? { [COHORT_TAG]: cohort } : {}), ...(exempt ? { [EXEMPT_TAG]: exempt } : {}), ...(window ? { [WINDOW_TAG]: window } : {}) })),
  ),
);
const TIMES = [new Date('2026-01-01T00:00:00Z'), ...[PROD, DEV].flatMap((c) => [-1, 0, 1].map((s) => new Date(c.deadline.getTime() + s * 1000))), new Date('2030-01-01T00:00:00Z')];

async function simulate(document: string, tags: Record<string, string>, now: Date) {
  const context: Record<string, string> = { 'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'aws:PrincipalArn': USER_ARN };
  for (const [k, v] of Object.entries(tags)) context[`aws:PrincipalTag/${k}`] = v;
  const result = await runSimulation(
    {
      request: { principal: USER_ARN, action: 'sts:AssumeRole', resource: { resource: ROLE_ARN, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [
        { name: 'AllowEverything', policy: ALLOW_EVERYTHING },
        { name: 'MfaEnforcement', policy: JSON.parse(document) },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType !== 'single') throw new Error(`simulator returned ${result.resultType}`);
  if (result.result.ignoredContextKeys?.length) throw new Error(`simulator ignored ${result.result.ignoredContextKeys.join(', ')}`);
  return result.overallResult;
}

describe('denialForKeyUser', () => {
  it('agrees with the simulator for every document, set of tags and time', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [label, doc] of DOCUMENTS)
      for (const tags of TAG_SETS) {
        const r = denialForKeyUser(doc, tags);
        if (r.denied === 'unknown') {
          mismatches.push(`${label} ${JSON.stringify(tags)}: unknown (${r.reason})`);
          continue;
        }
        for (const t of TIMES) {
          const ours = r.denied && (r.from === null || t > r.from);
          const theirs = (await simulate(doc, tags, t)) === 'ExplicitlyDenied';
          if (ours !== theirs) mismatches.push(`${label} ${JSON.stringify(tags)} at ${t.toISOString()}: ours ${ours}, simulator ${theirs}`);
          checked++;
        }
      }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(DOCUMENTS.length * TAG_SETS.length * TIMES.length);
  }, 60_000);

  it('names the date: the earliest statement that takes the user', () => {
    expect(denialForKeyUser(generated([PROD, DEV], 'dev'), {})).toEqual({ denied: true, from: DEV.deadline });
    expect(denialForKeyUser(generated([PROD, DEV], 'dev'), { [COHORT_TAG]: 'prod-admins' })).toEqual({ denied: true, from: PROD.deadline });
    expect(denialForKeyUser(generated([PROD, DEV], null), {})).toEqual({ denied: false });
    expect(denialForKeyUser(generated([PROD, DEV], 'dev'), { 'MFA-Exempt': 'true' })).toEqual({ denied: false });
    // A user with a window is judged by the window policy (attached to the user, not in this document).
    expect(denialForKeyUser(generated([PROD, DEV], 'dev'), { [WINDOW_TAG]: '2027-02-14T00:00Z' })).toEqual({ denied: false });
  });

  it('says unknown, not a guess, for what the generator never wrote', () => {
    const deny = (extra: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: ['iam:ChangePassword'], Resource: '*', ...extra }] });
    expect(denialForKeyUser('not json', {})).toMatchObject({ denied: 'unknown' });
    expect(denialForKeyUser(deny({ Condition: { StringLike: { 'aws:PrincipalTag/team': 'ops*' } } }), {})).toMatchObject({ denied: 'unknown' });
    expect(denialForKeyUser(deny({ Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } } }), {})).toMatchObject({ denied: 'unknown' });
    expect(denialForKeyUser(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:::x' }] }), {})).toMatchObject({ denied: 'unknown' });
    // A statement that certainly denies decides, whatever else the document holds.
    const both = JSON.stringify({ Statement: [...JSON.parse(deny({ Condition: { StringLike: { 'aws:PrincipalTag/team': 'ops*' } } })).Statement, { Effect: 'Deny', Action: 'sts:*', Resource: '*' }] });
    expect(denialForKeyUser(both, {})).toEqual({ denied: true, from: null });
    // Statements that cannot touch sts:AssumeRole do not matter, whatever their conditions.
    expect(denialForKeyUser(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: ['iam:TagUser'], Resource: '*', Condition: { StringLike: { x: 'y' } } }] }), {})).toEqual({ denied: false });
    expect(denialForKeyUser(deny({ NotAction: ['sts:Assume*'] }), {})).toEqual({ denied: false });
  });
});
