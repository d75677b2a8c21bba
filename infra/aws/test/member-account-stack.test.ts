import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { buildPolicy } from '../../../lib/enforcement/policy';
import { PORTAL_DEPLOY_ACTIONS, PORTAL_IAM_ACTIONS } from '../../local/policies';
import { DEPLOY_ACTIONS, MEMBER_ACTIONS, PORTAL_TAG_KEY_PATTERNS } from '../lib/member-account-stack';
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

function roleNamed(name: string, t: Template = template): RoleResource['Properties'] {
  const found = Object.values(t.findResources('AWS::IAM::Role', { Properties: { RoleName: name } })) as RoleResource[];
  if (found.length !== 1) throw new Error(`${found.length} roles named ${name}`);
  return found[0]!.Properties;
}
const statementsOf = (r: RoleResource['Properties']) => readable(r.Policies.flatMap((p) => p.PolicyDocument.Statement)) as Statement[];

const role = roleNamed('MfaPortalMember');
const statements = statementsOf(role);
const deployRole = roleNamed('MfaPortalDeploy');
const deployStatements = statementsOf(deployRole);
/** The actions that write the enforcement policy or attach it: whoever holds them can write any statement into it. */
const POLICY_WRITES = ['iam:AttachGroupPolicy', 'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'];
/** The mfa-* tag writes: whoever holds them decides whom the enforcement policy exempts. */
const TAG_WRITES = ['iam:TagUser', 'iam:UntagUser'];
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

  it('scopes every policy-version action to the enforcement policy, and attaches only it (both roles)', () => {
    const policyActions = [...statements, ...deployStatements].flatMap((s) => actionsOf(s).filter((a) => /Polic(y|ies)/.test(a)).map((a) => ({ a, s })));
    for (const { a, s } of policyActions) {
      if (a === 'iam:ListAttachedGroupPolicies') expect(s.Resource).toBe('arn:${Partition}:iam::${AccountId}:group/mfa-enforced');
      else if (a === 'iam:AttachGroupPolicy') expect((s.Condition as { ArnEquals: Record<string, string> }).ArnEquals['iam:PolicyARN']).toBe(enforcementArn);
      else expect(s.Resource).toBe(enforcementArn);
    }
    expect(policyActions.map((x) => x.a)).toContain('iam:SetDefaultPolicyVersion');
  });

  it('scopes the enforcement policy ARN to the configured path and name', () => {
    const { member: m } = buildApp(minimalConfig({ enforcementPolicyName: 'DenyWithoutMfa', enforcementPolicyPath: '/security/mfa/', enforcedGroups: ['a', 'b'] }));
    const t = Template.fromStack(m);
    const st = statementsOf(roleNamed('MfaPortalMember', t));
    const dst = statementsOf(roleNamed('MfaPortalDeploy', t));
    const arn = 'arn:${Partition}:iam::${AccountId}:policy/security/mfa/DenyWithoutMfa';
    expect(st.find((x) => x.Sid === 'ReadEnforcementPolicy')!.Resource).toBe(arn);
    expect(dst.find((x) => x.Sid === 'WriteEnforcementPolicy')!.Resource).toBe(arn);
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
    ]);
    expect([...deployStatements.flatMap(actionsOf)].sort()).toEqual([...DEPLOY_ACTIONS.enforcementPolicy, ...DEPLOY_ACTIONS.userTags, ...DEPLOY_ACTIONS.attach].sort());
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
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:TagUser', `arn:aws:iam::${ACCOUNT}:user/alice`, { 'aws:TagKeys': 'Department' })).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/alice`)).toBe('ImplicitlyDenied');
    expect(await decide('MfaPortalDeploy', deployStatements, 'iam:ListUsers', '*')).toBe('ImplicitlyDenied');
  });
});

describe('mfa-* tag keys in every casing', () => {
  it('are the 8 casings of "mfa-", each once', () => {
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...MFA_PREFIX_CASINGS].sort());
    expect(new Set(PORTAL_TAG_KEY_PATTERNS).size).toBe(8);
    expect(PORTAL_TAG_KEY_PATTERNS.every((p) => p.toLowerCase() === 'mfa-*')).toBe(true);
  });

  it('are the casings the enforcement policy’s tag guard reserves: the role may change every key the guard keeps from users', () => {
    const guard = buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalDeploy' }).Statement.find((s) => s.Sid === 'OnlyThePortalChangesMfaTags')!;
    const reserved = guard.Condition['ForAnyValue:StringLike']!['aws:TagKeys'];
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...(reserved as string[])].sort());
  });

  // The deploy role's own policy under an IAM simulator (StringLike is case-sensitive there, as in IAM).
  const ACCOUNT = '111111111111';
  const rolePolicy = (condition: unknown) => ({
    Version: '2012-10-17',
    Statement: deployStatements.map((s) =>
      JSON.parse(JSON.stringify(s.Sid === 'TagUsersMfaKeysOnly' ? { ...s, Condition: condition } : s).replaceAll('${Partition}', 'aws').replaceAll('${AccountId}', ACCOUNT)),
    ),
  });
  async function decide(policy: unknown, action: 'iam:TagUser' | 'iam:UntagUser', tagKeys: string[] | undefined) {
    const contextVariables: Record<string, string | string[]> = { 'aws:CurrentTime': '2026-06-01T00:00:00Z' };
    if (tagKeys) contextVariables['aws:TagKeys'] = tagKeys;
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/MfaPortalDeploy/mfa-portal-deploy`,
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
  /** The one file whose calls go through the deploy role. */
  const POLICY_WRITES_FILE = join(LIB, 'aws', 'policy-writes.ts');
  const called = sdkCallsUnder(LIB, [POLICY_WRITES_FILE]);
  const calledIam = [...called.iam].map((c) => `iam:${c}`);
  const writes = sdkCallsIn(readFileSync(POLICY_WRITES_FILE, 'utf8'), POLICY_WRITES_FILE);
  const calledThroughDeploy = [...writes.iam].map((c) => `iam:${c}`);
  const sources = readdirSync(LIB, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  const APP = fileURLToPath(new URL('../../../app/', import.meta.url));
  const appSources = readdirSync(APP, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  const filesMatching = (files: string[], re: RegExp, root: string) => files.filter((f) => re.test(readFileSync(f, 'utf8'))).map((f) => f.slice(root.length)).sort();

  it('finds the portal’s SDK calls in lib/ (the scan is not blind)', () => {
    expect(called.files.map((f) => f.slice(LIB.length)).sort()).toEqual(expect.arrayContaining(['aws/iam.ts', 'aws/policies.ts', 'aws/mfa.ts', 'aws/ses.ts']));
    expect(called.iam.size).toBeGreaterThan(20);
    expect(called.iam).toContain('GetAccountAuthorizationDetails'); // a paginator
    expect(called.iam).toContain('EnableMFADevice'); // a command
    expect(writes.iam).toContain('CreatePolicyVersion');
    expect(writes.iam).toContain('UntagUser'); // from enforcement's tag reconciliation
  });

  it('uses no AWS SDK client but IAM, STS and SES v2', () => {
    expect([...called.others]).toEqual([]);
    expect([...writes.others]).toEqual([]);
  });

  it('the member role grants exactly the IAM actions lib/ calls through it: nothing missing, nothing unused', () => {
    expect(mismatch(calledIam, statements.flatMap(actionsOf))).toEqual(none);
  });

  it('the deploy role grants exactly the IAM actions lib/aws/policy-writes.ts calls', () => {
    expect(mismatch(calledThroughDeploy, deployStatements.flatMap(actionsOf))).toEqual(none);
    expect([...calledThroughDeploy].sort()).toEqual([...POLICY_WRITES, ...TAG_WRITES].sort());
  });

  it('only lib/aws/policy-writes.ts uses the deploy-role client, and only the security team’s deploy, rollback and tag reconciliation call it', () => {
    expect(filesMatching(sources, /\biamForDeploy\b/, LIB)).toEqual(['aws/clients.ts', 'aws/policy-writes.ts']);
    const importers = filesMatching([...sources, ...appSources], /from ['"](@\/lib\/aws|\.)\/policy-writes['"]/, '');
    expect(importers).toEqual([join(LIB, 'enforcement', 'deploy.ts'), join(LIB, 'enforcement', 'tags.ts')]);
    // Every exported function of those files that calls a writer checks the security role first.
    const writers = importers.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split(/\n(?=export )/)
        .filter((chunk) => /^export async function/.test(chunk))
        .filter((f) => /\b(createManagedPolicy|createPolicyVersion|deletePolicyVersion|setDefaultPolicyVersion|attachGroupPolicy|tagUser|untagUser)\(/.test(f)),
    );
    expect(writers.map((f) => /^export async function (\w+)/.exec(f)![1]).sort()).toEqual(['applyTagDrift', 'deployEnforcement', 'rollbackEnforcement']);
    for (const f of writers) expect(f).toMatch(/assertRole\(actor\.roles, 'security'/);
  });

  it('the local stack’s member and deploy roles grant exactly the same actions', () => {
    expect(mismatch(calledIam, PORTAL_IAM_ACTIONS)).toEqual(none);
    expect(mismatch(calledThroughDeploy, PORTAL_DEPLOY_ACTIONS)).toEqual(none);
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
    expect(mismatch(granted.filter((a) => a !== 'iam:EnableMFADevice'), granted).grantedButNotCalled).toEqual(['iam:EnableMFADevice']);
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
      portalRoleName: 'MfaPortalDeploy',
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
    expect(policy.Properties.PolicyDocument).toEqual(buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalDeploy' }));
    expect((policy.Properties.PolicyDocument as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(['OnlyThePortalChangesMfaTags']);
  });

  it('refuses a program whose policy is too large for IAM', () => {
    const cohorts = Array.from({ length: 20 }, (_, i) => ({ cohort: `cohort-${i}`, deadline: '2026-10-01T00:00:00Z' }));
    expect(() => buildApp(minimalConfig({}, { defaultCohort: null, cohorts }))).toThrow(/too large.*characters/s);
  });
});
