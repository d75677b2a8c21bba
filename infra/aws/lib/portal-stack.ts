import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { InfraConfig } from './config';
import { addEventQueue, consumeEventsStatement } from './events';

export type PortalStackProps = Omit<StackProps, 'env'> & { config: InfraConfig };

/**
 * The hosting account's side: the role the portal runs as. It can do two things only: become the member role
 * in a managed account (which is what calls IAM) and send reminder emails from its SES identity.
 */
export class PortalStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: 'MFA Portal: the role the portal runs as in the hosting account',
      ...stackProps,
      env: { account: config.hostingAccountId, region: config.region },
    });

    const service = new iam.ServicePrincipal(config.portalServicePrincipal);
    // Confused-deputy guard: the service may assume the role only on behalf of this account.
    const principal = config.portalTrustSourceAccount
      ? new iam.PrincipalWithConditions(service, { StringEquals: { 'aws:SourceAccount': config.hostingAccountId } })
      : service;

    const memberRoles = config.managedAccountIds.length
      ? config.managedAccountIds.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${config.memberRoleName}`)
      : [`arn:${Aws.PARTITION}:iam::*:role/${config.memberRoleName}`];

    const deployRoles = config.managedAccountIds.length
      ? config.managedAccountIds.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${config.deployRoleName}`)
      : [`arn:${Aws.PARTITION}:iam::*:role/${config.deployRoleName}`];

    const statements = [
      new iam.PolicyStatement({ sid: 'AssumeMemberRoles', actions: ['sts:AssumeRole'], resources: memberRoles }),
      new iam.PolicyStatement({ sid: 'AssumeDeployRoles', actions: ['sts:AssumeRole'], resources: deployRoles }),
    ];
    if (config.organizations) {
      const o = config.organizations;
      statements.push(
        new iam.PolicyStatement({ sid: 'AssumeOrganizationsReadRole', actions: ['sts:AssumeRole'], resources: [`arn:${Aws.PARTITION}:iam::${o.accountId}:role/${o.readRoleName}`] }),
      );
    }
    if (config.reminderEmailIdentity) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'SendReminderEmails',
          actions: ['ses:SendEmail'],
          resources: [`arn:${Aws.PARTITION}:ses:${config.region}:${config.hostingAccountId}:identity/${config.reminderEmailIdentity}`],
          ...(config.reminderEmailFrom ? { conditions: { StringEquals: { 'ses:FromAddress': config.reminderEmailFrom } } } : {}),
        }),
      );
    }

    if (config.events) statements.push(consumeEventsStatement(config));

    this.role = new iam.Role(this, 'PortalRole', {
      roleName: config.portalRoleName,
      description: 'The MFA Portal application: assumes the member and deploy roles in each managed account and sends reminder emails',
      assumedBy: principal,
      inlinePolicies: { MfaPortal: new iam.PolicyDocument({ statements }) },
    });

    if (!config.managedAccountIds.length) {
      NagSuppressions.addResourceSuppressions(this.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'No managedAccountIds configured: the portal may assume the member role (by its exact name) in any account; each account decides by trusting this role with the external id. Set managedAccountIds to list the accounts instead.',
          appliesTo: [`Resource::arn:<AWS::Partition>:iam::*:role/${config.memberRoleName}`],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'No managedAccountIds configured: the portal may assume the deploy role (by its exact name) in any account; each account decides by trusting this role with the deploy external id.',
          appliesTo: [`Resource::arn:<AWS::Partition>:iam::*:role/${config.deployRoleName}`],
        },
      ]);
    }

    if (config.events) addEventQueue(this, config);

    new CfnOutput(this, 'PortalRoleArn', { value: this.role.roleArn, description: 'Run the portal with this role' });
    new CfnOutput(this, 'MemberRoleName', { value: config.memberRoleName, description: 'MFA_MEMBER_ROLE_NAME' });
    new CfnOutput(this, 'DeployRoleName', { value: config.deployRoleName, description: 'MFA_DEPLOY_ROLE_NAME' });
  }
}
