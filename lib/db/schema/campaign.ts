/** The security team's weekly campaign digest (lib/campaign/digest). */
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One digest on one channel. `slot` is the ISO week (`2026-W49`) of a scheduled digest, `manual-…` for a
 * send-now. The unique index (slot, channel) is the exactly-once guarantee, as for reminder_sends: a worker sends
 * only after its INSERT claimed the row.
 */
export const campaignDigestSends = pgTable(
  'campaign_digest_sends',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    slot: text('slot').notNull(),
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    /** The addresses, or only the webhook's host (the rest of its URL is a secret). */
    recipient: text('recipient'),
    /** sending (claimed) -> sent | failed (retried later) | unknown (the sender stopped mid-send: never resent) */
    status: text('status', { enum: ['sending', 'sent', 'failed', 'unknown'] }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    messageId: text('message_id'),
    error: text('error'),
    trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
    actor: text('actor').notNull(),
    /** The IAM users that were gaps when this digest was built (`account/user`): next week's "new gaps" compare with them. */
    gaps: jsonb('gaps').$type<string[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('campaign_digest_sends_once_idx').on(t.slot, t.channel), index('campaign_digest_sends_claimed_idx').on(t.claimedAt)],
);

export type CampaignDigestSendRow = typeof campaignDigestSends.$inferSelect;
