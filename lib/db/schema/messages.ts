/**
 * Messages (lib/program/messages): editable templates per kind and channel, and where escalated reminders go
 * besides the IAM user's own address: owners named in the Owner tag, and each account's contact.
 */
import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { MESSAGE_CHANNELS, MESSAGE_KINDS } from '@/lib/program/messages/kinds';

/** A template the security team edited; a kind and channel without a row uses its default (lib/program/messages/defaults.ts). */
export const messageTemplates = pgTable(
  'message_templates',
  {
    kind: text('kind', { enum: MESSAGE_KINDS }).notNull(),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    /** Email: the subject line; webhook: the message's header. */
    subject: text('subject').notNull(),
    /** Email: the plain-text body (its HTML part is derived from it); webhook: the message text. */
    body: text('body').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.channel] })],
);

export type MessageTemplateRow = typeof messageTemplates.$inferSelect;

/** The security team's mapping of Owner tag values that are names (not addresses) to an address. `owner` is stored lower-case. */
export const ownerContacts = pgTable('owner_contacts', {
  owner: text('owner').primaryKey(),
  email: text('email').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Each managed account's contact for escalated reminders (kept for accounts that leave, like managed_accounts). */
export const accountContacts = pgTable('account_contacts', {
  accountId: text('account_id').primaryKey(),
  email: text('email').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
