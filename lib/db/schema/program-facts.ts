import { boolean, integer, jsonb, pgTable, pgView, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { DECISIONS } from './program';

/** Built afresh for each use: drizzle binds a column builder to one table or view. */
const factColumns = () => ({
  accountId: text('account_id').notNull(),
  userName: text('user_name').notNull(),
  categoryId: integer('category_id'),
  decision: text('decision', { enum: DECISIONS }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  consoleAccess: boolean('console_access').notNull(),
  mfaState: text('mfa_state', { enum: ['enabled', 'none', 'leftover-only'] }).notNull(),
  hasDevices: boolean('has_devices').notNull(),
  phishingResistant: boolean('phishing_resistant').notNull(),
  /** Devices by type, e.g. { virtual: 1, fido: 2 }, for the dashboard's device breakdown. */
  deviceTypes: jsonb('device_types').$type<Record<string, number>>().notNull(),
  ofAllowedType: integer('of_allowed_type').notNull(),
  allowedDevices: integer('allowed_devices').notNull(),
  minDevices: integer('min_devices').notNull(),
  /** A copy of inventory_users.tags, for the dashboard's breakdowns by tag. */
  tags: jsonb('tags').$type<Record<string, string>>().notNull(),
});

/**
 * The time-independent part of each inventoried user's program verdict (migration 0019): category, decision, expiry
 * and device counts, resolved once per write by triggers on inventory_users, program_decisions and
 * program_categories (function program_user_facts_of), so that pages read them instead of resolving the program for
 * every row on every request. Never written by the application.
 */
export const programUserFacts = pgTable('program_user_facts', factColumns(), (t) => [primaryKey({ columns: [t.accountId, t.userName] })]);

/** program_user_facts with the time-dependent part of the rule, on the database's now(): what program_users reads. */
export const programUserVerdicts = pgView('program_user_verdicts', {
  ...factColumns(),
  exceptionExpired: boolean('exception_expired').notNull(),
  inScope: boolean('in_scope').notNull(),
  compliant: boolean('compliant').notNull(),
}).existing();
