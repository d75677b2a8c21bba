import 'server-only';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { baseClientConfig } from './clients';
import { withCallMetrics } from './call-metrics';
import { awsCall } from './errors';

/** One received message: its body, the handle that deletes it, and how often SQS has delivered it. */
export type QueueMessage = { messageId: string; body: string; receiptHandle: string; receiveCount: number };

let client: SQSClient | undefined;

/** The IAM change event queue lives in the portal's own account: the portal's own credentials read it. */
function sqs(): SQSClient {
  client ??= withCallMetrics(new SQSClient({ ...baseClientConfig(), maxAttempts: 3 }));
  return client;
}

/** A long poll: waits up to `waitSeconds` (at most 20, SQS's limit) for up to 10 messages; aborting ends the wait. */
export async function receiveMessages(queueUrl: string, waitSeconds: number, signal?: AbortSignal): Promise<QueueMessage[]> {
  const out = await awsCall('sqs:ReceiveMessage', () =>
    sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      { abortSignal: signal },
    ),
  );
  return (out.Messages ?? []).flatMap((m) =>
    m.MessageId && m.ReceiptHandle
      ? [{ messageId: m.MessageId, body: m.Body ?? '', receiptHandle: m.ReceiptHandle, receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1) }]
      : [],
  );
}

/** Deletes handled messages (at most 10 per call, as SQS allows). Returns the ids SQS could not delete. */
export async function deleteMessages(queueUrl: string, messages: Pick<QueueMessage, 'messageId' | 'receiptHandle'>[]): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    const out = await awsCall('sqs:DeleteMessageBatch', () =>
      sqs().send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, n) => ({ Id: String(n), ReceiptHandle: m.receiptHandle })) })),
    );
    for (const f of out.Failed ?? []) failed.push(batch[Number(f.Id)]?.messageId ?? String(f.Id));
  }
  return failed;
}
