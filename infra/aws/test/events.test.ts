import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IAM_EVENT_NAMES } from '../../../lib/events/names';
import { buildApp, exampleConfig, minimalConfig, readable, type Statement } from './support';

const example = exampleConfig();
const built = buildApp(example);
const portal = Template.fromStack(built.portal);
const member = Template.fromStack(built.member);
const QUEUE_ARN = 'arn:${Partition}:sqs:us-east-1:111111111111:mfa-portal-iam-events';

type Resource = { Properties: Record<string, unknown> };
const only = (t: Template, type: string) => {
  const found = Object.values(t.findResources(type)) as Resource[];
  return found;
};

describe('IAM change events: the portal stack', () => {
  const queues = only(portal, 'AWS::SQS::Queue');
  const queue = queues.find((q) => q.Properties.QueueName === 'mfa-portal-iam-events')!;
  const dlq = queues.find((q) => q.Properties.QueueName === 'mfa-portal-iam-events-dlq')!;

  it('has the queue and its dead-letter queue, both encrypted at rest, with a redrive after 3 deliveries', () => {
    expect(queues).toHaveLength(2);
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 60, RedrivePolicy: { maxReceiveCount: 3 } });
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  it('lets only the managed accounts’ forwarder roles send, over TLS only', () => {
    const policies = only(portal, 'AWS::SQS::QueuePolicy').flatMap((p) => (readable(p.Properties.PolicyDocument) as { Statement: Statement[] }).Statement);
    const send = policies.find((s) => s.Sid === 'ManagedAccountsForwardIamEvents')!;
    expect(send).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:${Partition}:iam::111111111111:role/MfaPortalEventsForwarder', 'arn:${Partition}:iam::222222222222:role/MfaPortalEventsForwarder'] } },
    });
    expect(policies.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  it('with an organization id, lets any forwarder role of the organisation send', () => {
    const org = Template.fromStack(buildApp({ ...example, eventsOrganizationId: 'o-abcdefghij' }).portal);
    const statements = (Object.values(org.findResources('AWS::SQS::QueuePolicy')) as Resource[]).flatMap(
      (p) => (readable(p.Properties.PolicyDocument) as { Statement: Statement[] }).Statement,
    );
    expect(statements.find((s) => s.Sid === 'ManagedAccountsForwardIamEvents')!.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' },
      ArnLike: { 'aws:PrincipalArn': 'arn:${Partition}:iam::*:role/MfaPortalEventsForwarder' },
    });
  });

  it('lets the portal role receive and delete on that queue only', () => {
    const [role] = only(portal, 'AWS::IAM::Role');
    const statements = (readable(role!.Properties.Policies) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.find((s) => s.Sid === 'ConsumeIamEvents')).toEqual({ Sid: 'ConsumeIamEvents', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: QUEUE_ARN });
  });
});

describe('IAM change events: the member stack', () => {
  it('has a rule for the IAM events the portal acts on and console sign-ins, targeting the portal queue with the forwarder role', () => {
    const [rule] = only(member, 'AWS::Events::Rule');
    const p = readable(rule!.Properties) as { EventPattern: Record<string, unknown>; Targets: { Arn: string; RoleArn: unknown }[] };
    expect(p.EventPattern).toEqual({
      source: ['aws.iam', 'aws.signin'],
      'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
      detail: { eventSource: ['iam.amazonaws.com', 'signin.amazonaws.com'], eventName: [...IAM_EVENT_NAMES, 'ConsoleLogin'] },
    });
    expect(IAM_EVENT_NAMES).toEqual(expect.arrayContaining(['EnableMFADevice', 'DeactivateMFADevice', 'CreateLoginProfile', 'DeleteLoginProfile', 'CreateUser', 'DeleteUser', 'TagUser', 'UntagUser']));
    expect(p.Targets).toHaveLength(1);
    expect(p.Targets[0]!.Arn).toBe(QUEUE_ARN);
    expect(JSON.stringify(p.Targets[0]!.RoleArn)).toContain('EventsForwarderRole');
  });

  it('the forwarder role is for EventBridge of this account and may only send to the portal queue', () => {
    const role = only(member, 'AWS::IAM::Role').find((r) => r.Properties.RoleName === 'MfaPortalEventsForwarder')!;
    const p = readable(role.Properties) as { AssumeRolePolicyDocument: { Statement: Statement[] }; Policies: { PolicyDocument: { Statement: Statement[] } }[] };
    expect(p.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '${AccountId}' } } },
    ]);
    expect(p.Policies.flatMap((x) => x.PolicyDocument.Statement)).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }]);
  });
});

describe('IAM change events: configuration', () => {
  it('are off without anything to name the senders by, and then add nothing', () => {
    const minimal = minimalConfig();
    expect(minimal.events).toBe(false);
    const app = buildApp(minimal);
    expect(Template.fromStack(app.portal).findResources('AWS::SQS::Queue')).toEqual({});
    expect(Template.fromStack(app.member).findResources('AWS::Events::Rule')).toEqual({});
  });

  it('refuses events without senders, and outside us-east-1', () => {
    expect(() => minimalConfig({ events: true })).toThrow(/events: needs eventsOrganizationId or managedAccountIds/);
    expect(() => minimalConfig({ managedAccountIds: ['123456789012'], region: 'eu-west-1' })).toThrow(/region: must be us-east-1 for IAM change events/);
    expect(minimalConfig({ managedAccountIds: ['123456789012'], region: 'eu-west-1', events: false }).events).toBe(false);
  });
});
