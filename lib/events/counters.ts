/**
 * In-process counts of what the IAM change event consumer did, since this process started: applied events, and
 * dropped ones by reason. The admin system page shows them; /api/metrics has them as
 * mfa_portal_iam_events_total and the lag as mfa_portal_iam_event_lag_seconds.
 */
import 'server-only';
import { metrics } from '@/lib/ops/metrics';
import type { DropReason } from './parse';

export type EventCounts = { applied: number; failed: number; dropped: Record<DropReason, number> };

const counts: EventCounts = {
  applied: 0,
  failed: 0,
  dropped: { malformed: 0, unsupported: 0, 'failed-call': 0, 'not-iam-user': 0, 'outside-organisation': 0, 'unknown-user': 0, replay: 0 },
};

/** An applied event, and how long after it happened (its CloudTrail eventTime) it was applied. */
export function countApplied(eventTime?: Date, now: Date = new Date()): void {
  counts.applied += 1;
  metrics().iamEvents.inc({ outcome: 'applied' });
  if (eventTime) metrics().iamEventLag.observe(Math.max(0, (now.getTime() - eventTime.getTime()) / 1000));
}

/** A message whose processing threw: left on the queue for SQS to redeliver (and in the end to dead-letter). */
export function countFailed(): void {
  counts.failed += 1;
  metrics().iamEvents.inc({ outcome: 'failed' });
}

export function countDropped(reason: DropReason): void {
  counts.dropped[reason] += 1;
  metrics().iamEvents.inc({ outcome: `dropped:${reason}` });
}

export function eventCounts(): EventCounts {
  return { applied: counts.applied, failed: counts.failed, dropped: { ...counts.dropped } };
}
