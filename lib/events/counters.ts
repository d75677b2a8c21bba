/**
 * In-process counts of what the IAM change event consumer did, since this process started: applied events, and
 * dropped ones by reason. Small on purpose, so a metrics endpoint can expose them later; the admin system page
 * shows them.
 */
import type { DropReason } from './parse';

export type EventCounts = { applied: number; failed: number; dropped: Record<DropReason, number> };

const counts: EventCounts = {
  applied: 0,
  failed: 0,
  dropped: { malformed: 0, unsupported: 0, 'failed-call': 0, 'not-iam-user': 0, 'outside-organisation': 0, 'unknown-user': 0, replay: 0 },
};

export function countApplied(): void {
  counts.applied += 1;
}

/** A message whose processing threw: left on the queue for SQS to redeliver (and in the end to dead-letter). */
export function countFailed(): void {
  counts.failed += 1;
}

export function countDropped(reason: DropReason): void {
  counts.dropped[reason] += 1;
}

export function eventCounts(): EventCounts {
  return { applied: counts.applied, failed: counts.failed, dropped: { ...counts.dropped } };
}
