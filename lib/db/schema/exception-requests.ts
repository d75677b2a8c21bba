/**
 * Exceptions requested and decided in the portal (lib/program/exception-requests.ts). A request names one IAM user
 * (account_id + user_name) or one category (category_id: a category-wide default of "exception"), never both. Only
 * an approval writes the effective decision (program_decisions, or the category's default) with approver =
 * decided_by: the approving admin's identity, never typed.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { programCategories } from './program';

export const EXCEPTION_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type ExceptionRequestStatus = (typeof EXCEPTION_REQUEST_STATUSES)[number];

export const exceptionRequests = pgTable(
  'exception_requests',
  {
    id: serial('id').primaryKey(),
    accountId: text('account_id'),
    userName: text('user_name'),
    categoryId: integer('category_id').references(() => programCategories.id, { onDelete: 'cascade' }),
    justification: text('justification').notNull(),
    /** The requested end date: the exception ends at the start of that day (UTC). */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The session identity of the person who asked (an admin, or the member who owns the IAM user). */
    requestedBy: text('requested_by').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    status: text('status', { enum: EXCEPTION_REQUEST_STATUSES }).notNull().default('pending'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decisionNote: text('decision_note'),
  },
  (t) => [
    check('exception_requests_one_target', sql`(${t.categoryId} IS NULL AND ${t.accountId} IS NOT NULL AND ${t.userName} IS NOT NULL) OR (${t.categoryId} IS NOT NULL AND ${t.accountId} IS NULL AND ${t.userName} IS NULL)`),
    check('exception_requests_decided', sql`(${t.status} = 'pending') = (${t.decidedAt} IS NULL)`),
    // One open request per target: a second one would be a second queue entry for the same question.
    uniqueIndex('exception_requests_pending_user_idx').on(t.accountId, t.userName).where(sql`${t.status} = 'pending' AND ${t.categoryId} IS NULL`),
    uniqueIndex('exception_requests_pending_category_idx').on(t.categoryId).where(sql`${t.status} = 'pending' AND ${t.categoryId} IS NOT NULL`),
    index('exception_requests_status_idx').on(t.status, t.requestedAt),
    index('exception_requests_user_idx').on(t.accountId, t.userName),
  ],
);

export type ExceptionRequestRow = typeof exceptionRequests.$inferSelect;
