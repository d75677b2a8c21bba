/**
 * Per-user time windows (lib/windows): an extension (issue 15 §1), a new user's window (§2) or a lost-device grace
 * (§3) gives one IAM user a later date than their cohort's deadline, enforced by IAM with a window policy attached to
 * the user and the mfa-window tag (lib/windows/README.md). Migration 0021.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const WINDOW_KINDS = ['extension', 'new-user', 'grace'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];
export const WINDOW_STATUSES = ['pending', 'active', 'ended', 'rejected'] as const;
export type WindowStatus = (typeof WINDOW_STATUSES)[number];
export const WINDOW_END_REASONS = ['enrolled', 'expired', 'replaced', 'revoked'] as const;
export type WindowEndReason = (typeof WINDOW_END_REASONS)[number];

export const userWindows = pgTable(
  'user_windows',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    kind: text('kind', { enum: WINDOW_KINDS }).notNull(),
    status: text('status', { enum: WINDOW_STATUSES }).notNull(),
    /** The granted end; for a pending request, the requested end. */
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The days asked for (extensions). */
    days: integer('days'),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    /** A rejection's reason. */
    decisionNote: text('decision_note'),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endReason: text('end_reason', { enum: WINDOW_END_REASONS }),
    /** A grace: the recovery request it belongs to. */
    recoveryId: bigint('recovery_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('user_windows_one_active_idx').on(t.accountId, t.userName).where(sql`${t.status} = 'active'`),
    index('user_windows_user_idx').on(t.accountId, t.userName),
    index('user_windows_status_idx').on(t.status, t.endsAt),
  ],
);

export type UserWindowRow = typeof userWindows.$inferSelect;
