import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, exampleConfig, minimalConfig, readable, type Statement } from './support';

type RoleProps = {
  RoleName: string;
  AssumeRolePolicyDocument: { Statement: Statement[] };
  Policies: { PolicyDocument: { Statement: Statement[] } }[];
  ManagedPolicyArns?: unknown;
};

function portalRole(config = exampleConfig()) {
  const { portal } = buildApp(config);
  const template = Template.fromStack(portal);
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: RoleProps }[];
  if (roles.length !== 1) throw new Error(`${roles.length} roles in the portal stack`);
  const role = roles[0]!.Properties;
  return {
    template,
    role,
    statements: readable(role.Policies.flatMap((p) => p.PolicyDocument.Statement)) as Statement[],
    trust: readable(role.AssumeRolePolicyDocument.Statement) as Statement[],
  };
}

const example = portalRole();

describe('portal role', () => {
  it('can only assume the member and deploy roles in the managed accounts and the Organizations read role, send email as its SES identity and consume the IAM event queue', () => {
    expect(example.role.RoleName).toBe('MfaPortal');
    expect(example.statements).toEqual([
      {
        Sid: 'AssumeMemberRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: ['arn:${Partition}:iam::111111111111:role/MfaPortalMember', 'arn:${Partition}:iam::222222222222:role/MfaPortalMember'],
      },
      {
        Sid: 'AssumeDeployRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: ['arn:${Partition}:iam::111111111111:role/MfaPortalDeploy', 'arn:${Partition}:iam::222222222222:role/MfaPortalDeploy'],
      },
      { Sid: 'AssumeOrganizationsReadRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:${Partition}:iam::999999999999:role/MfaPortalOrganizationsRead' },
      {
        Sid: 'SendReminderEmails',
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: 'arn:${Partition}:ses:us-east-1:111111111111:identity/example.com',
        Condition: { StringEquals: { 'ses:FromAddress': 'mfa-portal@example.com' } },
      },
      {
        Sid: 'ConsumeIamEvents',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        Resource: 'arn:${Partition}:sqs:us-east-1:111111111111:mfa-portal-iam-events',
      },
    ]);
  });

  it('has no other policies: no managed policies, no separate policy resources', () => {
    expect(example.role.ManagedPolicyArns).toBeUndefined();
    expect(example.template.findResources('AWS::IAM::Policy')).toEqual({});
    expect(example.template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    // Besides the role: the IAM change event queue, its dead-letter queue and their policies (events.test.ts).
    const others = Object.values(example.template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type).filter((t) => t !== 'AWS::IAM::Role');
    expect(others.sort()).toEqual(['AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::SQS::QueuePolicy']);
    expect(Object.keys(portalRole(minimalConfig()).template.toJSON().Resources as object)).toHaveLength(1);
  });

  it('is assumable by ECS tasks of the hosting account only', () => {
    expect(example.trust).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } },
    ]);
  });

  it('without managed accounts, assumes the member and deploy roles by name in any account; without an SES identity, sends nothing', () => {
    const { statements } = portalRole(minimalConfig());
    expect(statements).toEqual([
      { Sid: 'AssumeMemberRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:${Partition}:iam::*:role/MfaPortalMember' },
      { Sid: 'AssumeDeployRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:${Partition}:iam::*:role/MfaPortalDeploy' },
    ]);
  });

  it('trusts another service principal, without aws:SourceAccount unless asked', () => {
    expect(portalRole(minimalConfig({ portalServicePrincipal: 'ec2.amazonaws.com' })).trust).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } },
    ]);
    expect(portalRole(minimalConfig({ portalServicePrincipal: 'tasks.apprunner.amazonaws.com', portalTrustSourceAccount: true })).trust[0]!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
    });
  });

  it('names the roles from the config and deploys to the hosting account and region', () => {
    const { portal } = buildApp(minimalConfig({ portalRoleName: 'Portal', memberRoleName: 'PortalMember', deployRoleName: 'PortalDeploy', region: 'eu-west-1', reminderEmailIdentity: 'mfa@example.org' }));
    expect(portal.account).toBe('123456789012');
    expect(portal.region).toBe('eu-west-1');
    const role = Object.values(Template.fromStack(portal).findResources('AWS::IAM::Role'))[0] as { Properties: RoleProps };
    expect(role.Properties.RoleName).toBe('Portal');
    expect(readable(role.Properties.Policies[0]!.PolicyDocument.Statement)).toEqual([
      { Sid: 'AssumeMemberRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:${Partition}:iam::*:role/PortalMember' },
      { Sid: 'AssumeDeployRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:${Partition}:iam::*:role/PortalDeploy' },
      { Sid: 'SendReminderEmails', Effect: 'Allow', Action: 'ses:SendEmail', Resource: 'arn:${Partition}:ses:eu-west-1:123456789012:identity/mfa@example.org' },
    ]);
  });

  it('outputs the role ARN to run the portal with', () => {
    example.template.hasOutput('PortalRoleArn', { Value: { 'Fn::GetAtt': [Object.keys(example.template.findResources('AWS::IAM::Role'))[0], 'Arn'] } });
  });
});
