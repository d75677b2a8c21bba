import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentials, AwsTarget } from './aws-clients';

import { EVENTS_DLQ_NAME, EVENTS_MAX_RECEIVE_COUNT, EVENTS_QUEUE_NAME } from '@/lib/events/names';

export { EVENTS_QUEUE_NAME };
/** Short, so a failed message comes back (and dead-letters) within a test's patience; the CDK stack uses 60 s. */
export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 2;

export type EventQueues = { queueUrl: string; deadLetterQueueUrl: string };

export const sqsClient = (target: AwsTarget, credentials: AwsCredentials) => new SQSClient({ endpoint: target.endpoint, region: target.region, credentials });

/**
 * Creates the queue + DLQ (redrive policy) in the portal's account: called with the portal user's key before moto's
 * auth is on, so moto places them in that key's account. Idempotent (CreateQueue with the same attributes).
 */
export async function createEventQueues(target: AwsTarget, credentials: AwsCredentials): Promise<EventQueues> {
  const sqs = sqsClient(target, credentials);
  try {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: EVENTS_DLQ_NAME, Attributes: { MessageRetentionPeriod: String(14 * 86400) } }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    if (!dlq.QueueUrl || !dlqArn) throw new Error('CreateQueue for the dead-letter queue returned no URL or ARN');
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: EVENTS_QUEUE_NAME,
        Attributes: {
          VisibilityTimeout: String(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: EVENTS_MAX_RECEIVE_COUNT }),
        },
      }),
    );
    if (!queue.QueueUrl) throw new Error('CreateQueue for the event queue returned no URL');
    return { queueUrl: queue.QueueUrl, deadLetterQueueUrl: dlq.QueueUrl };
  } finally {
    sqs.destroy();
  }
}
