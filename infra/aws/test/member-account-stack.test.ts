import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { DEPLOY_ACTIONS, MEMBER_ACTIONS } from '../lib/member-account-stack';
import {
  deployRole,
  deployStatements,
  enforcementArn,
  POLICY_WRITES,
  role,
  roleNamed,
  statements,
  statementsOf,
  tagCondition,
  TAG_WRITES,
  template,
} from './member-template';
import { actionsOf, buildApp, minimalConfig, readable, type Statement } from './support';

const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
const user = 'arn:${Partition}:iam::${AccountId}:user/*';

describe('member role', () => {
  it('is named for MFA_MEMBER_ROLE_NAME and trusts only the portal role, with the external id', () => {
    expect(role.RoleName).toBe('MfaPortalMember');
    expect(readable(role.AssumeRolePolicyDocument.Statement)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: 'arn:${Partition}:iam::111111111111:role/MfaPortal' },
        Condition: { StringEquals: { 'sts:ExternalId': 'replace-with-a-random-external-id' } },
      },
    ]);
  });

  it('has exactly these statements, and no managed policies', () => {
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
    expect(statements).toEqual([
      {
        Sid: 'ReadAccountWide',
        Effect: 'Allow',
        Action: [...MEMBER_ACTIONS.accountWide],
        Resource: '*',
      },
      {
        Sid: 'ReadUsers',
        Effect: 'Allow',
        Action: ['iam:GetLoginProfile', 'iam:GetMFADevice', 'iam:GetUser', 'iam:ListGroupsForUser', 'iam:ListMFADevices', 'iam:ListUserTags'],
        Resource: user,
      },
      {
        Sid: 'ManageMfaDevices',
        Effect: 'Allow',
        Action: ['iam:CreateVirtualMFADevice', 'iam:DeactivateMFADevice', 'iam:DeleteVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'],
        Resource: [user, 'arn:${Partition}:iam::${AccountId}:mfa/*', 'arn:${Partition}:iam::${AccountId}:u2f/*'],
      },
      {
        Sid: 'ReadEnforcementPolicy',
        Effect: 'Allow',
        Action: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
        Resource: enforcementArn,
      },
      {
        Sid: 'ReadEnforcedGroups',
        Effect: 'Allow',
        Action: ['iam:GetGroup', 'iam:ListAttachedGroupPolicies'],
        Resource: 'arn:${Partition}:iam::${AccountId}:group/mfa-enforced',
      },
    ]);
  });

  it('cannot write, version or attach any policy, nor tag users (that is the deploy role’s)', () => {
    expect(statements.flatMap(actionsOf).filter((a) => POLICY_WRITES.includes(a) || TAG_WRITES.includes(a) || a.includes('*'))).toEqual([]);
    expect(statements.flatMap(actionsOf).filter((a) => /^iam:(Create|Delete|Put|Attach|Detach|Set|Update)\w*(Policy|PolicyVersion)$/.test(a))).toEqual([]);
  });

  it('(the deploy role) tags users only with mfa-* keys (in every letter casing), and only when the request names its keys', () => {
    expect(statements.filter((s) => actionsOf(s).some((a) => TAG_WRITES.includes(a)))).toEqual([]);
    const tagging = deployStatements.filter((s) => actionsOf(s).some((a) => TAG_WRITES.includes(a)));
    expect(tagging).toHaveLength(1);
    expect(tagging[0]!.Condition).toEqual(tagCondition);
  });

  it('scopes every policy-version action to the enforcement policy, and attaches only it (both roles); window policies only by their name', () => {
    const windowArn = 'arn:${Partition}:iam::${AccountId}:policy/MfaPortalEnforcement-until-*';
    const windowSids = ['WriteWindowPolicies', 'AttachWindowPoliciesToUsers', 'ReadUsersWindowPolicies'];
    for (const s of deployStatements.filter((x) => windowSids.includes(x.Sid ?? ''))) {
      if (s.Sid === 'WriteWindowPolicies') expect(s.Resource).toBe(windowArn);
      else expect(s.Resource).toBe(user);
      if (s.Sid === 'AttachWindowPoliciesToUsers') expect(s.Condition).toEqual({ ArnLike: { 'iam:PolicyARN': windowArn } });
    }
    const policyActions = [...statements, ...deployStatements.filter((x) => !windowSids.includes(x.Sid ?? ''))].flatMap((s) => actionsOf(s).filter((a) => /Polic(y|ies)/.test(a)).map((a) => ({ a, s })));
    for (const { a, s } of policyActions) {
      if (a === 'iam:ListAttachedGroupPolicies') expect(s.Resource).toBe('arn:${Partition}:iam::${AccountId}:group/mfa-enforced');
      else if (a === 'iam:AttachGroupPolicy') expect((s.Condition as { ArnEquals: Record<string, string> }).ArnEquals['iam:PolicyARN']).toEqual(enforcementArn);
      else expect(s.Resource).toEqual(enforcementArn);
    }
    expect(policyActions.map((x) => x.a)).toContain('iam:SetDefaultPolicyVersion');
  });

  it('scopes the enforcement policy ARN to the configured path and name', () => {
    const { member: m } = buildApp(minimalConfig({ enforcementPolicyName: 'DenyWithoutMfa', enforcementPolicyPath: '/security/mfa/', enforcedGroups: ['a', 'b'] }));
    const t = Template.fromStack(m);
    const st = statementsOf(roleNamed('MfaPortalMember', t));
    const dst = statementsOf(roleNamed('MfaPortalDeploy', t));
    const arn = ['', ...Array.from({ length: 9 }, (_, i) => `-${i + 2}`)].map((suffix) => `arn:\${Partition}:iam::\${AccountId}:policy/security/mfa/DenyWithoutMfa${suffix}`);
    expect(st.find((x) => x.Sid === 'ReadEnforcementPolicy')!.Resource).toEqual(arn);
    expect(dst.find((x) => x.Sid === 'WriteEnforcementPolicy')!.Resource).toEqual(arn);
    expect(dst.find((x) => x.Sid === 'AttachEnforcementPolicyToEnforcedGroups')).toMatchObject({
      Resource: ['arn:${Partition}:iam::${AccountId}:group/a', 'arn:${Partition}:iam::${AccountId}:group/b'],
      Condition: { ArnEquals: { 'iam:PolicyARN': arn } },
    });
  });

  it('grants only account-wide reads on Resource "*"', () => {
    expect(statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'))).map((s) => s.Sid)).toEqual(['ReadAccountWide']);
    expect(bySid('ReadAccountWide').Action).toEqual([...MEMBER_ACTIONS.accountWide]);
  });
});

describe('deploy role', () => {
  it('is named for MFA_DEPLOY_ROLE_NAME and trusts only the portal role, with its own external id', () => {
    expect(readable(deployRole.AssumeRolePolicyDocument.Statement)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: 'arn:${Partition}:iam::111111111111:role/MfaPortal' },
        Condition: { StringEquals: { 'sts:ExternalId': 'replace-with-another-random-external-id' } },
      },
    ]);
    expect(deployRole.ManagedPolicyArns).toBeUndefined();
  });

  it('holds exactly the enforcement-policy and mfa-* tag writes, on that policy, the enforced groups and users only', () => {
    expect(deployStatements).toEqual([
      {
        Sid: 'WriteEnforcementPolicy',
        Effect: 'Allow',
        Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        Resource: enforcementArn,
      },
      {
        Sid: 'TagUsersMfaKeysOnly',
        Effect: 'Allow',
        Action: ['iam:TagUser', 'iam:UntagUser'],
        Resource: user,
        Condition: tagCondition,
      },
      {
        Sid: 'AttachEnforcementPolicyToEnforcedGroups',
        Effect: 'Allow',
        Action: 'iam:AttachGroupPolicy',
        Resource: 'arn:${Partition}:iam::${AccountId}:group/mfa-enforced',
        Condition: { ArnEquals: { 'iam:PolicyARN': enforcementArn } },
      },
      { Sid: 'WriteWindowPolicies', Effect: 'Allow', Action: ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:GetPolicy'], Resource: 'arn:${Partition}:iam::${AccountId}:policy/MfaPortalEnforcement-until-*' },
      {
        Sid: 'AttachWindowPoliciesToUsers',
        Effect: 'Allow',
        Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
        Resource: user,
        Condition: { ArnLike: { 'iam:PolicyARN': 'arn:${Partition}:iam::${AccountId}:policy/MfaPortalEnforcement-until-*' } },
      },
      { Sid: 'ReadUsersWindowPolicies', Effect: 'Allow', Action: 'iam:ListAttachedUserPolicies', Resource: user },
    ]);
    expect([...deployStatements.flatMap(actionsOf)].sort()).toEqual(
      [...DEPLOY_ACTIONS.enforcementPolicy, ...DEPLOY_ACTIONS.userTags, ...DEPLOY_ACTIONS.attach, ...DEPLOY_ACTIONS.windowPolicies, ...DEPLOY_ACTIONS.windowAttach, ...DEPLOY_ACTIONS.windowReads].sort(),
    );
  });

  // Both roles' own policies under an IAM simulator: the split is real, not only a matter of statement names.
  const ACCOUNT = '111111111111';
  const concrete = (st: Statement[]) => ({
    Version: '2012-10-17',
    Statement: st.map((x) => JSON.parse(JSON.stringify(x).replaceAll('${Partition}', 'aws').replaceAll('${AccountId}', ACCOUNT))),
  });
  async function decide(roleName: string, st: Statement[], action: string, resource: string, contextVariables: Record<string, string> = {}) {
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/mfa-portal`,
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: { 'aws:CurrentTime': '2026-06-01T00:00:00Z', ...contextVariables },
        },
        identityPolicies: [{ name: 'inline', policy: concrete(st) as Record<string, unknown> }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(`simulator returned ${result.resultType}`);
    return result.overallResult;
  }
  const policy = `arn:aws:iam::${ACCOUNT}:policy/MfaPortalEnforcement`;
  const enforcedGroup = `arn:aws:iam::${ACCOUNT}:group/mfa-enforced`;

  it('the member role is denied every enforcement-policy and mfa-* tag write; the deploy role is allowed them', async () => {
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:CreatePolicy']) {
      expect(await decide('MfaPortalMember', statements, action, policy), `member ${action}`).toBe('ImplicitlyDenied');
      expect(await decide('MfaPortalDeploy', deployStatements, action, policy), `deploy ${action}`).toBe('Allowed');
    }
    expect(await decide('MfaPortalMember', statements, 'iam:AttachGroupPolicy', enforcedGroup, { 'iam:PolicyARN': policy })).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:AttachGroupPolicy', enforcedGroup, { 'iam:PolicyARN': policy })).toBe('Allowed');
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    for (const action of TAG_WRITES) {
      expect(await decide('MfaPortalMember', statements, action, alice, { 'aws:TagKeys': 'mfa-exempt' }), `member ${action}`).toBe('ImplicitlyDenied');
      expect(await decide('MfaPortalDeploy', deployStatements, action, alice, { 'aws:TagKeys': 'mfa-exempt' }), `deploy ${action}`).toBe('Allowed');
    }
  });

  it('the deploy role cannot attach another policy, write another policy, tag other keys, or read or enroll anything', async () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:AttachGroupPolicy', enforcedGroup, { 'iam:PolicyARN': admin })).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/Other`)).toBe('ImplicitlyDenied');
    // The set's names, and no other: -2 … -10, not -11 nor a name that only starts like it.
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:CreatePolicyVersion', `${policy}-2`)).toBe('Allowed');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:AttachGroupPolicy', enforcedGroup, { 'iam:PolicyARN': `${policy}-10` })).toBe('Allowed');
    for (const other of [`${policy}-11`, `${policy}-x`, `${policy}2`]) expect(await decide('MfaPortalDeploy', deployStatements, 'iam:CreatePolicyVersion', other), other).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:TagUser', `arn:aws:iam::${ACCOUNT}:user/alice`, { 'aws:TagKeys': 'Department' })).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/alice`)).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:ListUsers', '*')).toBe('ImplicitlyDenied');
  });
});
