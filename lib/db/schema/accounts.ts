/** The managed accounts as last discovered (lib/accounts): from MFA_ACCOUNTS or AWS Organizations, with their history. */
import { boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every account the portal has seen at the start of an inventory run. Rows are never deleted: an account that left
 * the organisation, was suspended or is filtered out keeps its row (status says why) and its first/last seen dates.
 */
export const managedAccounts = pgTable(
  'managed_accounts',
  {
    accountId: text('account_id').primaryKey(),
    /** The MFA_ACCOUNTS label, or the account name in Organizations. */
    name: text('name').notNull(),
    source: text('source', { enum: ['static', 'organizations'] }).notNull(),
    /**
     * managed | inactive (not ACTIVE in Organizations: suspended, closing) | excluded (by the OU/account filters) |
     * gone (no longer listed by the source).
     */
    status: text('status', { enum: ['managed', 'inactive', 'excluded', 'gone'] }).notNull(),
    /** Organizations' State (or Status before it): ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED; null for static. */
    organizationsState: text('organizations_state'),
    /** The account's email in Organizations (its root user's address): the default contact for escalated reminders. Null for static. */
    email: text('email'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** When the source last listed the account (as managed or not). */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** When it was last managed: kept after it leaves, so the page can say since when its history is frozen. */
    lastManagedAt: timestamp('last_managed_at', { withTimezone: true, mode: 'date' }),
    /** Whether the member role could be assumed at the last inventory run; null before the first attempt. */
    reachable: boolean('reachable'),
    /** Why not (e.g. "AccessDenied (AccessDenied)"), from the last failed AssumeRole. */
    unreachableReason: text('unreachable_reason'),
    reachabilityCheckedAt: timestamp('reachability_checked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('managed_accounts_status_idx').on(t.status)],
);
