import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, exampleConfig, readable, type Statement } from './support';

/**
 * The member-account stack of the example config, and what its tests (member-*.test.ts, least-privilege.test.ts)
 * read from it: the member and deploy roles and their statements, with ARNs made readable (support.ts).
 */

const { member } = buildApp(exampleConfig());
export const template = Template.fromStack(member);

export function only<T = Record<string, unknown>>(type: string): { id: string; resource: T } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`${found.length} ${type} resources`);
  return { id: found[0]![0], resource: found[0]![1] as T };
}

type RoleResource = {
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
    ManagedPolicyArns?: unknown;
  };
};

export function roleNamed(name: string, t: Template = template): RoleResource['Properties'] {
  const found = Object.values(t.findResources('AWS::IAM::Role', { Properties: { RoleName: name } })) as RoleResource[];
  if (found.length !== 1) throw new Error(`${found.length} roles named ${name}`);
  return found[0]!.Properties;
}
export const statementsOf = (r: RoleResource['Properties']) => readable(r.Policies.flatMap((p) => p.PolicyDocument.Statement)) as Statement[];

export const role = roleNamed('MfaPortalMember');
export const statements = statementsOf(role);
export const deployRole = roleNamed('MfaPortalDeploy');
export const deployStatements = statementsOf(deployRole);
/** The actions that write the enforcement policy or attach it: whoever holds them can write any statement into it. */
export const POLICY_WRITES = ['iam:AttachGroupPolicy', 'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'];
/** The mfa-* tag writes: whoever holds them decides whom the enforcement policy exempts. */
export const TAG_WRITES = ['iam:TagUser', 'iam:UntagUser'];
/** The per-user window writes (lib/aws/window-writes.ts): window policies, their attachment to users, the mfa-window tag. */
export const WINDOW_WRITES = ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:GetPolicy', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:ListAttachedUserPolicies', 'iam:TagUser', 'iam:UntagUser'];
export const MFA_PREFIX_CASINGS = ['mfa-*', 'mfA-*', 'mFa-*', 'mFA-*', 'Mfa-*', 'MfA-*', 'MFa-*', 'MFA-*'];
export const tagCondition = { Null: { 'aws:TagKeys': 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': MFA_PREFIX_CASINGS } };
/** Every name of the enforcement policy set (lib/enforcement/policy-set.ts), one by one: MfaPortalEnforcement, -2 … -10. */
export const enforcementArn = ['', ...Array.from({ length: 9 }, (_, i) => `-${i + 2}`)].map((suffix) => `arn:\${Partition}:iam::\${AccountId}:policy/MfaPortalEnforcement${suffix}`);
