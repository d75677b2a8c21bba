/** IAM change events (lib/events): which were applied, and the console sign-in evidence they carry. */
import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * CloudTrail event ids claimed and applied, so a redelivered or replayed event is applied once, also when several
 * portal instances consume the same queue. A claim not applied within its lease (the instance died mid-apply) may
 * be taken again.
 */
export const iamEventsApplied = pgTable(
  'iam_events_applied',
  {
    eventId: text('event_id').notNull(),
    eventName: text('event_name').notNull(),
    accountId: text('account_id').notNull(),
    userName: text('user_name'),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'date' }).notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Null while the claiming instance applies it. */
    appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }),
  },
  // Per account: an eventID is CloudTrail's, unique within an account's trail; keyed alone, an event forged (or
  // colliding) in one account would mark another account's event as already applied.
  (t) => [primaryKey({ columns: [t.accountId, t.eventId] }), index('iam_events_applied_claimed_idx').on(t.claimedAt)],
);

/** Per IAM user, the latest console sign-ins CloudTrail reported (ConsoleLogin), with and without MFA. */
export const consoleSignInEvidence = pgTable(
  'console_sign_in_evidence',
  {
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    /** The latest ConsoleLogin with additionalEventData.MFAUsed = "Yes". */
    mfaSeenAt: timestamp('mfa_seen_at', { withTimezone: true, mode: 'date' }),
    /** The latest ConsoleLogin without MFA. */
    withoutMfaSeenAt: timestamp('without_mfa_seen_at', { withTimezone: true, mode: 'date' }),
    /** The CloudTrail eventID of the latest sign-in with MFA (for auditors to find it in CloudTrail). */
    mfaEventId: text('mfa_event_id'),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userName] })],
);
