import { Aws, CfnOutput, Duration, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { API_CALL, CONSOLE_SIGN_IN, EVENTS_DLQ_NAME, EVENTS_MAX_RECEIVE_COUNT, EVENTS_QUEUE_NAME, IAM_EVENT_NAMES } from '../../../lib/events/names';
import type { InfraConfig } from './config';

/**
 * IAM change events (lib/events): CloudTrail's IAM calls and console sign-ins, forwarded from each managed account
 * to one SQS queue in the portal's account.
 *
 * Why the rule targets the queue directly rather than the portal account's default bus: EventBridge delivers to an
 * SQS queue in another account of the same Region by itself (an execution role in the sending account, the queue's
 * policy allowing that role), so there is no second rule, no bus policy and one hop less; the portal account's bus
 * stays closed. The Region is us-east-1 either way: IAM and the console sign-in of IAM users are recorded there.
 */

export const EVENTS_REGION = 'us-east-1';
/** The role EventBridge uses in each managed account to send to the portal's queue. */
export const EVENTS_FORWARDER_ROLE_NAME = 'MfaPortalEventsForwarder';

export const eventsQueueArn = (config: InfraConfig) => `arn:${Aws.PARTITION}:sqs:${EVENTS_REGION}:${config.hostingAccountId}:${EVENTS_QUEUE_NAME}`;

/** The EventBridge pattern: the IAM calls the portal acts on, and console sign-ins. */
export const iamEventPattern = () => ({
  source: ['aws.iam', 'aws.signin'],
  'detail-type': [API_CALL, CONSOLE_SIGN_IN],
  detail: { eventSource: ['iam.amazonaws.com', 'signin.amazonaws.com'], eventName: [...IAM_EVENT_NAMES, 'ConsoleLogin'] },
});

/** The portal role's right to consume the queue: ReceiveMessage and DeleteMessage (which also authorizes DeleteMessageBatch), on it only. */
export const consumeEventsStatement = (config: InfraConfig) =>
  new iam.PolicyStatement({ sid: 'ConsumeIamEvents', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [eventsQueueArn(config)] });

/** Portal stack: the queue (SSE, DLQ with redrive) and its policy. */
export function addEventQueue(stack: Stack, config: InfraConfig): sqs.Queue {
  const deadLetters = new sqs.Queue(stack, 'IamEventsDeadLetterQueue', {
    queueName: EVENTS_DLQ_NAME,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const queue = new sqs.Queue(stack, 'IamEventsQueue', {
    queueName: EVENTS_QUEUE_NAME,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // Longer than applying one batch (a few IAM calls per event); a message that keeps failing dead-letters.
    visibilityTimeout: Duration.seconds(60),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: EVENTS_MAX_RECEIVE_COUNT },
  });
  // The senders are the forwarder roles of the managed accounts (EventBridge assumes them): the organisation's, or
  // the listed accounts'. The portal drops events of any other account anyway (lib/events/apply.ts).
  const senders = config.eventsOrganizationId
    ? { StringEquals: { 'aws:PrincipalOrgID': config.eventsOrganizationId }, ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::*:role/${EVENTS_FORWARDER_ROLE_NAME}` } }
    : { ArnEquals: { 'aws:PrincipalArn': config.managedAccountIds.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${EVENTS_FORWARDER_ROLE_NAME}`) } };
  queue.addToResourcePolicy(
    new iam.PolicyStatement({ sid: 'ManagedAccountsForwardIamEvents', principals: [new iam.AnyPrincipal()], actions: ['sqs:SendMessage'], resources: [queue.queueArn], conditions: senders }),
  );
  new CfnOutput(stack, 'EventsQueueUrl', { value: queue.queueUrl, description: 'MFA_EVENTS_QUEUE_URL' });
  new CfnOutput(stack, 'EventsDeadLetterQueueUrl', { value: deadLetters.queueUrl, description: 'Messages that failed 3 times' });
  return queue;
}

/** Member stack: the rule on the account's default bus and the role it sends with. */
export function addEventForwarder(stack: Stack, config: InfraConfig): void {
  const role = new iam.Role(stack, 'EventsForwarderRole', {
    roleName: EVENTS_FORWARDER_ROLE_NAME,
    description: "EventBridge sends this account's IAM change events and console sign-ins to the MFA Portal's queue with it",
    assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('events.amazonaws.com'), { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
    inlinePolicies: {
      SendToPortalQueue: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [eventsQueueArn(config)] })] }),
    },
  });
  new events.CfnRule(stack, 'IamEventsRule', {
    name: 'mfa-portal-iam-events',
    description: 'MFA Portal: IAM MFA, login-profile, user, tag and group changes and console sign-ins, to the portal account queue',
    eventPattern: iamEventPattern(),
    state: 'ENABLED',
    targets: [{ id: 'PortalQueue', arn: eventsQueueArn(config), roleArn: role.roleArn }],
  });
}
