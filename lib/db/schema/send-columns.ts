/** The columns an exactly-once send record has (reminder_sends, campaign_digest_sends): its claim and its outcome. */
import { integer, text, timestamp } from 'drizzle-orm/pg-core';

/** New column builders on each call: a table owns its columns. */
export const sendColumns = () => ({
  channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
  /** sending (claimed) -> sent | failed (retried later) | unknown (the sender stopped mid-send: never resent) */
  status: text('status', { enum: ['sending', 'sent', 'failed', 'unknown'] }).notNull(),
  attempts: integer('attempts').notNull().default(1),
  claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  messageId: text('message_id'),
  error: text('error'),
  trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
  actor: text('actor').notNull(),
});
