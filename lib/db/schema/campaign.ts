/** The security team's weekly campaign digest (lib/campaign/digest). */
import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { sendColumns } from './send-columns';

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
    /** The addresses, or only the webhook's host (the rest of its URL is a secret). */
    recipient: text('recipient'),
    ...sendColumns(),
    /** The IAM users that were gaps when this digest was built (`account/user`): next week's "new gaps" compare with them. */
    gaps: jsonb('gaps').$type<string[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('campaign_digest_sends_once_idx').on(t.slot, t.channel), index('campaign_digest_sends_claimed_idx').on(t.claimedAt)],
);

export type CampaignDigestSendRow = typeof campaignDigestSends.$inferSelect;
