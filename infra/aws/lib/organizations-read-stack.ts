import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { InfraConfig, OrganizationsConfig } from './config';

export type OrganizationsReadStackProps = Omit<StackProps, 'env'> & { config: InfraConfig & { organizations: OrganizationsConfig } };

/**
 * What lib/aws/organizations.ts calls (test/least-privilege.test.ts keeps the two equal): the accounts, and the
 * accounts and child OUs under an included or excluded OU.
 */
export const ORGANIZATIONS_READ_ACTIONS = ['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListChildren'] as const;

/**
 * The role the portal assumes to read AWS Organizations (MFA_ACCOUNT_SOURCE=organizations), in the management
 * account or a delegated administrator: it trusts only the portal role, with its own external id, and can only list.
 */
export class OrganizationsReadStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OrganizationsReadStackProps) {
    const { config, ...stackProps } = props;
    const o = config.organizations;
    super(scope, id, {
      description: 'MFA Portal: the read-only role the portal assumes to list the accounts of the organisation',
      ...stackProps,
      env: { account: o.accountId, region: config.region },
    });
    const portalRole = new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${config.hostingAccountId}:role/${config.portalRoleName}`);
    this.role = new iam.Role(this, 'OrganizationsReadRole', {
      roleName: o.readRoleName,
      description: 'The MFA Portal lists the accounts of the organisation (ListAccounts, and per OU when filtered)',
      assumedBy: new iam.PrincipalWithConditions(portalRole, { StringEquals: { 'sts:ExternalId': o.externalId } }),
      inlinePolicies: {
        ReadOrganization: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'ListAccountsAndOus', actions: [...ORGANIZATIONS_READ_ACTIONS], resources: ['*'] })],
        }),
      },
    });
    NagSuppressions.addResourceSuppressions(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'organizations:ListAccounts has no resource-level permission; ListChildren and ListAccountsForParent take root and OU ARNs that embed the organisation id, unknown before deployment. The role can only list.',
        appliesTo: ['Resource::*'],
      },
    ]);
    new CfnOutput(this, 'OrganizationsReadRoleArn', { value: this.role.roleArn, description: 'MFA_ORGANIZATIONS_ROLE_ARN' });
  }
}
