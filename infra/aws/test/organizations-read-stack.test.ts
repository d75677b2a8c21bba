import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, exampleConfig, minimalConfig, readable, type Statement } from './support';

type RoleProps = { RoleName: string; AssumeRolePolicyDocument: { Statement: Statement[] }; Policies: { PolicyDocument: { Statement: Statement[] } }[]; ManagedPolicyArns?: unknown };

const ORGANIZATIONS = { accountId: '999999999999', externalId: 'organizations-external-id' };

function readRole(config = exampleConfig()) {
  const { organizations } = buildApp(config);
  if (!organizations) throw new Error('no Organizations read stack');
  const template = Template.fromStack(organizations);
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: RoleProps }[];
  expect(roles).toHaveLength(1);
  const role = roles[0]!.Properties;
  return { template, role, organizations, statements: readable(role.Policies.flatMap((p) => p.PolicyDocument.Statement)) as Statement[], trust: readable(role.AssumeRolePolicyDocument.Statement) };
}

describe('Organizations read role', () => {
  it('lives in the configured management (or delegated administrator) account and can only list accounts and OUs', () => {
    const { role, organizations, statements, template } = readRole();
    expect(organizations.account).toBe('999999999999');
    expect(role.RoleName).toBe('MfaPortalOrganizationsRead');
    expect(statements).toEqual([
      { Sid: 'ListAccountsAndOus', Effect: 'Allow', Action: ['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListChildren'], Resource: '*' },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(Object.keys(template.toJSON().Resources as object)).toHaveLength(1);
    template.hasOutput('OrganizationsReadRoleArn', { Description: 'MFA_ORGANIZATIONS_ROLE_ARN' });
  });

  it('trusts only the portal role, with its own external id', () => {
    expect(readRole().trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: 'arn:${Partition}:iam::111111111111:role/MfaPortal' },
        Condition: { StringEquals: { 'sts:ExternalId': 'replace-with-a-third-random-external-id' } },
      },
    ]);
  });

  it('is created, and the portal may assume it, only with an organizations section', () => {
    const without = buildApp(minimalConfig());
    expect(without.organizations).toBeUndefined();
    const portalStatements = (cfg: ReturnType<typeof minimalConfig>) =>
      Object.values(Template.fromStack(buildApp(cfg).portal).findResources('AWS::IAM::Role')).flatMap((r) =>
        (r as { Properties: RoleProps }).Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.map((s) => s.Sid)),
      );
    expect(portalStatements(minimalConfig())).not.toContain('AssumeOrganizationsReadRole');
    expect(portalStatements(minimalConfig({ organizations: ORGANIZATIONS }))).toContain('AssumeOrganizationsReadRole');
    expect(readRole(minimalConfig({ organizations: { ...ORGANIZATIONS, readRoleName: 'OrgReader' } })).role.RoleName).toBe('OrgReader');
  });

  it('refuses an external id shared with the member or deploy role, a role name taken, or none at all', () => {
    expect(() => minimalConfig({ organizations: { ...ORGANIZATIONS, externalId: 'external-id-for-tests' } })).toThrow(/organizations\.externalId: must differ from memberRoleExternalId and deployRoleExternalId/);
    expect(() => minimalConfig({ organizations: { ...ORGANIZATIONS, readRoleName: 'MfaPortalMember' } })).toThrow(/organizations\.readRoleName: must differ/);
    expect(() => minimalConfig({ organizations: { accountId: '999999999999' } })).toThrow(/organizations\.externalId: is required/);
    expect(() => minimalConfig({ organizations: { ...ORGANIZATIONS, accountId: '9' } })).toThrow(/organizations\.accountId: must be a 12-digit AWS account id/);
  });
});
