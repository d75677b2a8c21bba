import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { buildPolicy } from '../../../lib/enforcement/policy';
import { PORTAL_IAM_ACTIONS } from '../../local/policies';
import { MEMBER_ACTIONS, PORTAL_TAG_KEY_PATTERNS } from '../lib/member-account-stack';
import { sdkCallsIn, sdkCallsUnder } from './sdk-calls';
import { actionsOf, buildApp, exampleConfig, minimalConfig, readable, type Statement } from './support';

const { member } = buildApp(exampleConfig());
const template = Template.fromStack(member);

function only<T = Record<string, unknown>>(type: string): { id: string; resource: T } {
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

const role = only<RoleResource>('AWS::IAM::Role').resource.Properties;
const statements = readable(role.Policies.flatMap((p) => p.PolicyDocument.Statement)) as Statement[];
const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
const user = 'arn:${Partition}:iam::${AccountId}:user/*';
const MFA_PREFIX_CASINGS = ['mfa-*', 'mfA-*', 'mFa-*', 'mFA-*', 'Mfa-*', 'MfA-*', 'MFa-*', 'MFA-*'];
const tagCondition = { Null: { 'aws:TagKeys': 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': MFA_PREFIX_CASINGS } };
const enforcementArn = 'arn:${Partition}:iam::${AccountId}:policy/MfaPortalEnforcement';

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
        Action: [
          'iam:GenerateCredentialReport',
          'iam:GetAccountAuthorizationDetails',
          'iam:GetCredentialReport',
          'iam:ListAccountAliases',
          'iam:ListUsers',
          'iam:ListVirtualMFADevices',
        ],
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
        Sid: 'TagUsersMfaKeysOnly',
        Effect: 'Allow',
        Action: ['iam:TagUser', 'iam:UntagUser'],
        Resource: user,
        Condition: tagCondition,
      },
      {
        Sid: 'ManageEnforcementPolicy',
        Effect: 'Allow',
        Action: [
          'iam:CreatePolicy',
          'iam:CreatePolicyVersion',
          'iam:DeletePolicyVersion',
          'iam:GetPolicy',
          'iam:GetPolicyVersion',
          'iam:ListPolicyVersions',
          'iam:SetDefaultPolicyVersion',
        ],
        Resource: enforcementArn,
      },
      {
        Sid: 'ReadEnforcedGroups',
        Effect: 'Allow',
        Action: ['iam:GetGroup', 'iam:ListAttachedGroupPolicies'],
        Resource: 'arn:${Partition}:iam::${AccountId}:group/mfa-enforced',
      },
      {
        Sid: 'AttachEnforcementPolicyToEnforcedGroups',
        Effect: 'Allow',
        Action: 'iam:AttachGroupPolicy',
        Resource: 'arn:${Partition}:iam::${AccountId}:group/mfa-enforced',
        Condition: { ArnEquals: { 'iam:PolicyARN': enforcementArn } },
      },
    ]);
  });

  it('tags users only with mfa-* keys (in every letter casing), and only when the request names its keys', () => {
    const tagging = statements.filter((s) => actionsOf(s).some((a) => a === 'iam:TagUser' || a === 'iam:UntagUser'));
    expect(tagging).toHaveLength(1);
    expect(tagging[0]!.Condition).toEqual(tagCondition);
  });

  it('scopes every policy-version action to the enforcement policy, and attaches only it', () => {
    const policyActions = statements.flatMap((s) => actionsOf(s).filter((a) => /Polic(y|ies)/.test(a)).map((a) => ({ a, s })));
    for (const { a, s } of policyActions) {
      if (a === 'iam:ListAttachedGroupPolicies') expect(s.Resource).toBe('arn:${Partition}:iam::${AccountId}:group/mfa-enforced');
      else if (a === 'iam:AttachGroupPolicy') expect((s.Condition as { ArnEquals: Record<string, string> }).ArnEquals['iam:PolicyARN']).toBe(enforcementArn);
      else expect(s.Resource).toBe(enforcementArn);
    }
    expect(policyActions.map((x) => x.a)).toContain('iam:SetDefaultPolicyVersion');
  });

  it('scopes the enforcement policy ARN to the configured path and name', () => {
    const { member: m } = buildApp(minimalConfig({ enforcementPolicyName: 'DenyWithoutMfa', enforcementPolicyPath: '/security/mfa/', enforcedGroups: ['a', 'b'] }));
    const s = readable(Template.fromStack(m).toJSON()) as { Resources: Record<string, { Type: string; Properties: RoleResource['Properties'] }> };
    const r = Object.values(s.Resources).find((x) => x.Type === 'AWS::IAM::Role')!.Properties;
    const st = r.Policies[0]!.PolicyDocument.Statement;
    const arn = 'arn:${Partition}:iam::${AccountId}:policy/security/mfa/DenyWithoutMfa';
    expect(st.find((x) => x.Sid === 'ManageEnforcementPolicy')!.Resource).toBe(arn);
    expect(st.find((x) => x.Sid === 'AttachEnforcementPolicyToEnforcedGroups')).toMatchObject({
      Resource: ['arn:${Partition}:iam::${AccountId}:group/a', 'arn:${Partition}:iam::${AccountId}:group/b'],
      Condition: { ArnEquals: { 'iam:PolicyARN': arn } },
    });
  });

  it('grants only account-wide reads on Resource "*"', () => {
    expect(statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'))).map((s) => s.Sid)).toEqual(['ReadAccountWide']);
    expect(bySid('ReadAccountWide').Action).toEqual([...MEMBER_ACTIONS.accountWide]);
  });
});

describe('mfa-* tag keys in every casing', () => {
  it('are the 8 casings of "mfa-", each once', () => {
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...MFA_PREFIX_CASINGS].sort());
    expect(new Set(PORTAL_TAG_KEY_PATTERNS).size).toBe(8);
    expect(PORTAL_TAG_KEY_PATTERNS.every((p) => p.toLowerCase() === 'mfa-*')).toBe(true);
  });

  it('are the casings the enforcement policy’s tag guard reserves: the role may change every key the guard keeps from users', () => {
    const guard = buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalMember' }).Statement.find((s) => s.Sid === 'OnlyThePortalChangesMfaTags')!;
    const reserved = guard.Condition['ForAnyValue:StringLike']!['aws:TagKeys'];
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...(reserved as string[])].sort());
  });

  // The member role's own policy under an IAM simulator (StringLike is case-sensitive there, as in IAM).
  const ACCOUNT = '111111111111';
  const rolePolicy = (condition: unknown) => ({
    Version: '2012-10-17',
    Statement: statements.map((s) =>
      JSON.parse(JSON.stringify(s.Sid === 'TagUsersMfaKeysOnly' ? { ...s, Condition: condition } : s).replaceAll('${Partition}', 'aws').replaceAll('${AccountId}', ACCOUNT)),
    ),
  });
  async function decide(policy: unknown, action: 'iam:TagUser' | 'iam:UntagUser', tagKeys: string[] | undefined) {
    const contextVariables: Record<string, string | string[]> = { 'aws:CurrentTime': '2026-06-01T00:00:00Z' };
    if (tagKeys) contextVariables['aws:TagKeys'] = tagKeys;
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/MfaPortalMember/mfa-portal`,
          action,
          resource: { resource: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT },
          contextVariables,
        },
        identityPolicies: [{ name: 'MfaPortal', policy: policy as Record<string, unknown> }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(`simulator returned ${result.resultType}`);
    if (result.result.ignoredContextKeys?.length) throw new Error(`simulator ignored ${result.result.ignoredContextKeys.join(', ')}`);
    return result.overallResult;
  }

  it.each(['iam:TagUser', 'iam:UntagUser'] as const)('%s: allowed for every casing of mfa-cohort and mfa-exempt, denied for other keys', async (action) => {
    const policy = rolePolicy(tagCondition);
    for (const prefix of MFA_PREFIX_CASINGS.map((p) => p.slice(0, -1))) {
      expect(await decide(policy, action, [`${prefix}cohort`]), `${prefix}cohort`).toBe('Allowed');
      expect(await decide(policy, action, [`${prefix}Exempt`, 'mfa-cohort']), `${prefix}Exempt`).toBe('Allowed');
    }
    // What applyTagDrift sends for a user tagged MFA-Exempt whose exemption ended.
    expect(await decide(policy, action, ['MFA-Exempt'])).toBe('Allowed');
    for (const keys of [['Department'], ['mfa-exempt', 'Department'], ['mfa_exempt'], ['xmfa-exempt']])
      expect(await decide(policy, action, keys), JSON.stringify(keys)).toBe('ImplicitlyDenied');
    expect(await decide(policy, action, undefined), 'no tag keys in the request').toBe('ImplicitlyDenied');
  });

  it('the former lowercase-only condition denied MFA-Exempt under the same simulator (so the case above is not vacuous)', async () => {
    const lowercaseOnly = { Null: { 'aws:TagKeys': 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': 'mfa-*' } };
    expect(await decide(rolePolicy(lowercaseOnly), 'iam:UntagUser', ['mfa-exempt'])).toBe('Allowed');
    expect(await decide(rolePolicy(lowercaseOnly), 'iam:UntagUser', ['MFA-Exempt'])).toBe('ImplicitlyDenied');
  });
});

/** lib/ holds everything the portal runs (lib/aws wraps the SDK; lib/enforcement and the rest call lib/aws). */
const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));
/** STS calls made with the person's own keys (sign-in with access keys, the MFA test), not the portal's role. */
const WITH_THE_PERSONS_OWN_KEYS = ['sts:GetCallerIdentity', 'sts:GetSessionToken'];

/** What is called but not granted, and granted but not called; both empty when the two sets are equal. */
const mismatch = (called: Iterable<string>, granted: Iterable<string>) => {
  const c = new Set(called);
  const g = new Set(granted);
  return { calledButNotGranted: [...c].filter((a) => !g.has(a)).sort(), grantedButNotCalled: [...g].filter((a) => !c.has(a)).sort() };
};
const none = { calledButNotGranted: [], grantedButNotCalled: [] };

describe('least privilege against the code', () => {
  const called = sdkCallsUnder(LIB);
  const calledIam = [...called.iam].map((c) => `iam:${c}`);

  it('finds the portal’s SDK calls in lib/ (the scan is not blind)', () => {
    expect(called.files.map((f) => f.slice(LIB.length)).sort()).toEqual(expect.arrayContaining(['aws/iam.ts', 'aws/policies.ts', 'aws/mfa.ts', 'aws/ses.ts']));
    expect(called.iam.size).toBeGreaterThan(20);
    expect(called.iam).toContain('GetAccountAuthorizationDetails'); // a paginator
    expect(called.iam).toContain('UntagUser'); // a command, from enforcement's tag reconciliation
  });

  it('uses no AWS SDK client but IAM, STS and SES v2', () => {
    expect([...called.others]).toEqual([]);
  });

  it('the member role grants exactly the IAM actions lib/ calls: nothing missing, nothing unused', () => {
    expect(mismatch(calledIam, statements.flatMap(actionsOf))).toEqual(none);
  });

  it('the local stack’s member role grants exactly the same actions', () => {
    expect(mismatch(calledIam, PORTAL_IAM_ACTIONS)).toEqual(none);
  });

  it('the portal role grants exactly the STS and SES calls not made with the person’s own keys', () => {
    const portalStatements = Template.fromStack(buildApp(exampleConfig()).portal).findResources('AWS::IAM::Role');
    const granted = Object.values(portalStatements).flatMap((r) =>
      (r as { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap(actionsOf)),
    );
    const calledStsSes = [...[...called.sts].map((c) => `sts:${c}`), ...[...called.sesv2].map((c) => `ses:${c}`)];
    for (const own of WITH_THE_PERSONS_OWN_KEYS) expect(calledStsSes).toContain(own);
    expect(mismatch(calledStsSes.filter((a) => !WITH_THE_PERSONS_OWN_KEYS.includes(a)), granted)).toEqual(none);
  });
});

describe('the SDK call scan', () => {
  const source = `
    import { paginateListUsers, ListEntitiesForPolicyCommand, GetUserCommand as Who, ListGroupsCommand, type IAMClient } from '@aws-sdk/client-iam';
    import type { TagUserCommand } from '@aws-sdk/client-iam';
    import { AssumeRoleCommand } from "@aws-sdk/client-sts";
    import { ListAccountsCommand } from '@aws-sdk/client-organizations';
    const a = paginateListUsers({ client }, {});
    await client.send(new ListEntitiesForPolicyCommand({ PolicyArn }));
    await client.send(new Who({}));
    await sts.send(new AssumeRoleCommand({}));
    await org.send(new ListAccountsCommand({}));
    new SomethingElseCommand();
  `;

  it('finds commands and paginators imported from the IAM, STS and SES clients, following aliases', () => {
    const calls = sdkCallsIn(source);
    expect([...calls.iam].sort()).toEqual(['GetUser', 'ListEntitiesForPolicy', 'ListUsers']);
    expect([...calls.sts]).toEqual(['AssumeRole']);
    expect([...calls.others]).toEqual(['organizations']);
  });

  it('so a newly called API without its grant, or a grant nothing calls, fails the comparison', () => {
    const granted = statements.flatMap(actionsOf);
    expect(mismatch([...statements.flatMap(actionsOf), 'iam:ListEntitiesForPolicy'], granted).calledButNotGranted).toEqual(['iam:ListEntitiesForPolicy']);
    expect(mismatch(granted.filter((a) => a !== 'iam:TagUser'), granted).grantedButNotCalled).toEqual(['iam:TagUser']);
  });

  it('refuses imports it cannot follow', () => {
    expect(() => sdkCallsIn(`import * as iam from '@aws-sdk/client-iam';`)).toThrow(/only named imports/);
    expect(() => sdkCallsIn(`const iam = require('@aws-sdk/client-iam');`)).toThrow(/require/);
  });
});

describe('groups', () => {
  type Group = { Properties: { GroupName: string; Policies?: unknown; ManagedPolicyArns?: unknown }; Condition?: string };
  const groups = Object.values(template.findResources('AWS::IAM::Group')) as Group[];

  it('creates the admin, security and enforced groups, none with permissions of their own', () => {
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual(['mfa-enforced', 'mfa-portal-admins', 'mfa-portal-security']);
    for (const g of groups) expect(g.Properties).toEqual({ GroupName: g.Properties.GroupName });
  });

  it('creates the admin and security groups only in portalGroupsAccountId, the enforced group everywhere', () => {
    const conditional = groups.filter((g) => g.Condition).map((g) => g.Properties.GroupName);
    expect(conditional.sort()).toEqual(['mfa-portal-admins', 'mfa-portal-security']);
    expect(template.toJSON().Conditions).toEqual({ IsPortalGroupsAccount: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111111111111'] } });
  });

  it('without portalGroupsAccountId creates every group in every account; names are configurable', () => {
    const { member: m } = buildApp(minimalConfig({ adminGroups: ['it-admins', 'cloud-admins'], securityGroups: ['secops'], enforcedGroups: ['all-humans'] }));
    const t = Template.fromStack(m);
    const gs = Object.values(t.findResources('AWS::IAM::Group')) as Group[];
    expect(gs.map((g) => g.Properties.GroupName).sort()).toEqual(['all-humans', 'cloud-admins', 'it-admins', 'secops']);
    expect(gs.every((g) => !g.Condition)).toBe(true);
    expect(t.toJSON().Conditions).toBeUndefined();
  });
});

describe('template', () => {
  it('deploys without CDK bootstrapping: no parameters, rules or assets', () => {
    const json = template.toJSON();
    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::CDK::Metadata'))).toEqual([]);
  });
});

describe('enforcement policy', () => {
  const program = JSON.parse(readFileSync(new URL('../program.example.json', import.meta.url), 'utf8')) as {
    defaultCohort: string | null;
    cohorts: { cohort: string; deadline: string }[];
  };

  it('is the generator’s document for the example program (first version), attached to the enforced group', () => {
    const { id, resource } = only<{ Properties: Record<string, unknown> }>('AWS::IAM::ManagedPolicy');
    const expected = buildPolicy({
      cohorts: program.cohorts.map((c) => ({ cohort: c.cohort, deadline: new Date(c.deadline) })),
      defaultCohort: program.defaultCohort,
      portalRoleName: 'MfaPortalMember',
    });
    expect(expected.Statement.length).toBe(program.cohorts.length + 1);
    expect(resource.Properties.PolicyDocument).toEqual(expected);
    expect(resource.Properties.ManagedPolicyName).toBe('MfaPortalEnforcement');
    expect(resource.Properties.Path).toBe('/');
    expect(id).toBe('EnforcementPolicy');
    const groups = template.findResources('AWS::IAM::Group', { Properties: { GroupName: 'mfa-enforced' } });
    expect(resource.Properties.Groups).toEqual(Object.keys(groups).map((g) => ({ Ref: g })));
  });

  it('with no cohorts holds only the tag guard', () => {
    const { member: m } = buildApp(minimalConfig());
    const policy = Object.values(Template.fromStack(m).findResources('AWS::IAM::ManagedPolicy'))[0] as { Properties: { PolicyDocument: unknown } };
    expect(policy.Properties.PolicyDocument).toEqual(buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalMember' }));
    expect((policy.Properties.PolicyDocument as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(['OnlyThePortalChangesMfaTags']);
  });

  it('refuses a program whose policy is too large for IAM', () => {
    const cohorts = Array.from({ length: 20 }, (_, i) => ({ cohort: `cohort-${i}`, deadline: '2026-10-01T00:00:00Z' }));
    expect(() => buildApp(minimalConfig({}, { defaultCohort: null, cohorts }))).toThrow(/too large.*characters/s);
  });
});
