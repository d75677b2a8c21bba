/**
 * The IAM change event consumer: SQS long-polls (20 s, batches of 10), each message applied then deleted. A message
 * whose processing throws is left on the queue: SQS redelivers it after the visibility timeout and, after the
 * queue's maxReceiveCount, moves it to the dead-letter queue.
 */
import 'server-only';
import { deleteMessages, receiveMessages, type QueueMessage } from '@/lib/aws/sqs';
import { getEnv } from '@/lib/env';
import { getDb } from '@/lib/db/client';
import { applyEventMessage } from './apply';
import { pruneClaims } from './claims';
import { countFailed } from './counters';
import { log, processLog, withJobContext } from '@/lib/log';

export const LONG_POLL_SECONDS = 20;

export type BatchResult = { received: number; applied: number; dropped: number; failed: number };

/** Applies one received batch; deletes the messages that were applied or dropped. Never throws for one message. */
export async function handleBatch(queueUrl: string, messages: QueueMessage[]): Promise<BatchResult> {
  const result: BatchResult = { received: messages.length, applied: 0, dropped: 0, failed: 0 };
  const done: QueueMessage[] = [];
  // One at a time: events of one user arrive in order, and each costs a few IAM calls in one account.
  for (const message of messages) {
    try {
      const outcome = await applyEventMessage(message.body);
      result[outcome.kind] += 1;
      done.push(message);
    } catch (error) {
      result.failed += 1;
      countFailed();
      log.error({ messageId: message.messageId, delivery: message.receiveCount, err: error }, 'events: IAM event not applied, left for redelivery');
    }
  }
  if (done.length > 0) {
    const undeleted = await deleteMessages(queueUrl, done);
    if (undeleted.length > 0) log.warn({ messageIds: undeleted }, 'events: IAM events applied but not deleted (they will be redelivered and dropped as replays)');
  }
  await pruneNowAndThen();
  return result;
}

const PRUNE_EVERY_MS = 60 * 60_000;
let prunedAt = 0;

/** At most hourly per process, after a batch: old event claims go (claims.ts). A failure waits for the next hour. */
async function pruneNowAndThen(): Promise<void> {
  if (Date.now() - prunedAt < PRUNE_EVERY_MS) return;
  prunedAt = Date.now();
  try {
    await pruneClaims(await getDb());
  } catch (error) {
    log.warn({ err: error }, 'events: old IAM event claims not pruned');
  }
}

const add = (a: BatchResult, b: BatchResult): BatchResult => ({
  received: a.received + b.received,
  applied: a.applied + b.applied,
  dropped: a.dropped + b.dropped,
  failed: a.failed + b.failed,
});

/**
 * Drains the queue for at most `budgetMs` (the cron route): polls until the queue answers empty or the time is
 * up. Short polls (`waitSeconds`, 1 by default): a scheduler calls again, so an idle queue should not hold the
 * request for a long poll.
 */
export async function drainEvents(queueUrl: string, budgetMs: number, waitSeconds = 1): Promise<BatchResult> {
  const deadline = Date.now() + budgetMs;
  let total: BatchResult = { received: 0, applied: 0, dropped: 0, failed: 0 };
  for (;;) {
    const left = deadline - Date.now();
    if (left < 1000) return total;
    const messages = await receiveMessages(queueUrl, Math.max(0, Math.min(waitSeconds, Math.floor(left / 1000) - 1)));
    if (messages.length === 0) return total;
    total = add(total, await handleBatch(queueUrl, messages));
  }
}

export type EventConsumer = { stop(): Promise<void> };

/**
 * How long the loop waits after `failures` polls in a row failed: 1 s doubling to at most 60 s, half of it random so
 * that instances which lost the queue together do not come back in step.
 */
export function pollRetryDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(60_000, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 6));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export type EventLoopOptions = {
  retryDelayMs?: (failures: number) => number;
  /** The poll (tests replace it to make the queue fail). */
  receive?: typeof receiveMessages;
};

/** The in-process loop: long-polls until stopped; a failing poll (queue unreachable) waits, longer each time, and tries again. */
export function startEventLoop(queueUrl: string, { retryDelayMs = pollRetryDelayMs, receive = receiveMessages }: EventLoopOptions = {}): EventConsumer {
  const abort = new AbortController();
  let stopped = false;
  let failures = 0;
  const loop = withJobContext('events-poll', async () => {
    while (!stopped) {
      try {
        const messages = await receive(queueUrl, LONG_POLL_SECONDS, abort.signal);
        failures = 0;
        if (messages.length > 0) await withJobContext('events', () => handleBatch(queueUrl, messages));
      } catch (error) {
        if (stopped) break;
        failures += 1;
        const wait = retryDelayMs(failures);
        log.error({ failures, retryInMs: wait, err: error }, 'events: IAM event queue poll failed, retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  });
  return {
    async stop() {
      stopped = true;
      // Ends a long poll at once; a batch being applied finishes first, so no applied message is left undeleted.
      abort.abort();
      await loop;
    },
  };
}

let running: EventConsumer | undefined;

/** Starts the loop at server start when MFA_EVENTS_QUEUE_URL is set and MFA_EVENTS_MODE is poll; stops it on shutdown. */
export function startEventConsumer(): void {
  const env = getEnv();
  if (!env.MFA_EVENTS_QUEUE_URL || env.MFA_EVENTS_MODE !== 'poll' || running) return;
  const consumer = startEventLoop(env.MFA_EVENTS_QUEUE_URL);
  running = consumer;
  processLog.info('events: consuming IAM change events from SQS');
}

/**
 * Shutdown (lib/ops/shutdown.ts): ends the long poll at once and resolves when the batch being applied is done. An
 * event cut off mid-apply at the deadline keeps its message (not deleted); its claim is given back (apply.ts), so
 * the next delivery applies it.
 */
export async function stopEventConsumer(): Promise<void> {
  const consumer = running;
  running = undefined;
  if (!consumer) return;
  await consumer.stop();
  processLog.info('events: IAM change event consumer stopped');
}
