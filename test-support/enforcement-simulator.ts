/**
 * The IAM simulator harness of the enforcement truth tables (lib/enforcement/*.truth-table.test.ts): the request a
 * principal makes, the oracle written from the rules in plain words (DESIGN.md "Enforcement policy", AWS-FACTS.md pain
 * points 2 and 8), and the simulator evaluating every policy of the generated set together with an allow-everything policy.
 *
 * @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency for tests only; this folder is not shipped.
 */
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { roleArn, userArn, virtualMfaArn } from '../lib/iam-identifiers';
import { COHORT_TAG, EXEMPT_TAG, WINDOW_TAG, type EnforcementInput, type PolicyDocument } from '../lib/enforcement/policy';
import { buildPolicySet } from '../lib/enforcement/policy-set';

export const ACCOUNT = '111111111111';
export const USER_ARN = userArn(ACCOUNT, 'alice');
export const PORTAL_ROLE = 'MfaPortalMember';
export const PORTAL_ROLE_ARN = roleArn(ACCOUNT, PORTAL_ROLE);
export const PORTAL_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/${PORTAL_ROLE}/mfa-portal`;
export const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** 'absent': long-term access keys, where the key is missing from the request context (pain point 8). */
export type Mfa = 'true' | 'false' | 'absent';

export type Principal = { label: string; arn: string; principalArn: string; tags: Record<string, string>; isPortalRole: boolean };

/**
 * The oracle's own list (from DESIGN.md and AWS-FACTS.md, not read from the generator) of what a user without MFA may
 * still do: change a password that must be changed at first sign-in, see themselves and their devices, enroll, resync,
 * clean up a failed set-up, and trade access keys plus a code for an MFA session.
 */
export const WITHOUT_MFA_STILL_ALLOWED = new Set([
  // a password that must be changed at first sign-in
  'iam:ChangePassword',
  'iam:GetAccountPasswordPolicy',
  // themselves and their devices
  'iam:GetUser',
  'iam:GetMFADevice',
  'iam:ListMFADevices',
  'iam:ListVirtualMFADevices',
  // enroll, resync, clean up
  'iam:CreateVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:ResyncMFADevice',
  'iam:DeleteVirtualMFADevice',
  // access keys plus a code for an MFA session
  'sts:GetSessionToken',
]);

export type Request = { action: string; resource: string; tagKeys?: string[]; context?: Record<string, string> };
export const MFA_DEVICE_ARN = virtualMfaArn(ACCOUNT, 'alice-phone');
/** A real resource of the right type for each action ('*' where the action has no resource type). */
export const RESOURCE_OF: Record<string, string> = {
  's3:ListAllMyBuckets': '*',
  'ec2:DescribeInstances': '*',
  'iam:CreateUser': userArn(ACCOUNT, 'new-hire'),
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
export function request(action: string, tagKeys?: string[]): Request {
  const resource = RESOURCE_OF[action];
  if (!resource) throw new Error(`add a resource for ${action} to RESOURCE_OF`);
  return tagKeys ? { action, resource, tagKeys } : { action, resource };
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle: the rules in plain words, independent of how the policy expresses them.

/**
 * `windowPolicyEnd`: the end of the per-user window policy attached to the principal (lib/windows), if any.
 */
export function expected(program: EnforcementInput, who: Principal, mfa: Mfa, now: Date, req: Request, windowPolicyEnd: Date | null = null): EvaluationResult {
  // Only the portal's role may add or remove an mfa-* tag, whatever the letter case of the key.
  const touchesAnMfaTag = (req.tagKeys ?? []).some((k) => k.toLowerCase().startsWith('mfa-'));
  if (touchesAnMfaTag && !who.isPortalRole) return 'ExplicitlyDenied';
  const exemptUser = who.tags[EXEMPT_TAG] === 'true';
  // A user with a window policy attached is denied without MFA after the window's end (whether or not tagged).
  const pastWindow = windowPolicyEnd !== null && !exemptUser && mfa !== 'true' && now.getTime() > windowPolicyEnd.getTime();
  if (pastWindow && !WITHOUT_MFA_STILL_ALLOWED.has(req.action)) return 'ExplicitlyDenied';
  // A user with the mfa-window tag (any value) is judged by their window only: their cohort's deadline no longer
  // applies to them. A tag without the window policy is drift: nothing denies that user, which is why the portal
  // reports and repairs it.
  const windowTagged = Object.keys(who.tags).some((k) => k.toLowerCase() === WINDOW_TAG);
  // A principal's cohort is its mfa-cohort tag when that names one of the program's cohorts; otherwise (no tag, or a
  // tag naming no cohort, e.g. of a deleted category) it is the default cohort, and with no default it is enforced by
  // nothing.
  const tagged = who.tags[COHORT_TAG];
  const programCohorts = program.cohorts.map((c) => c.cohort);
  const cohort = tagged !== undefined && programCohorts.includes(tagged) ? tagged : program.defaultCohort;
  const deadline = program.cohorts.find((c) => c.cohort === cohort)?.deadline;
  const exempt = who.tags[EXEMPT_TAG] === 'true';
  const enforced = deadline !== undefined && !windowTagged && !exempt && mfa !== 'true' && now.getTime() > deadline.getTime();
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

export const policyCache = new Map<EnforcementInput, { name: string; policy: PolicyDocument }[]>();

/** Every managed policy of the set the program generates, as deployed (the set's Id included). */
export function policiesOf(program: EnforcementInput) {
  let policies = policyCache.get(program);
  if (!policies) {
    const set = buildPolicySet(program, 'MfaEnforcement');
    if (!set.ok) throw new Error(set.message);
    policyCache.set(program, (policies = set.members.map((m) => ({ name: m.name, policy: m.document }))));
  }
  return policies;
}

/** `extraPolicies`: managed policies attached to the principal besides the set (a window policy, lib/windows). */
export async function simulate(
  program: EnforcementInput,
  who: Principal,
  mfa: Mfa,
  now: Date,
  req: Request,
  extraTags: Record<string, string> = {},
  extraPolicies: { name: string; policy: PolicyDocument }[] = [],
): Promise<EvaluationResult> {
  const policies = policiesOf(program);
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
        ...policies,
        ...extraPolicies,
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
