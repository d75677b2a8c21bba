/**
 * Lost or broken device recovery (issue 15 §3, lib/recovery): a member reports, an admin who is not the reporter
 * verifies with the security team's checklist and approves, the portal deactivates the device and opens a grace
 * window (user_windows, lib/windows). The grace's end (enrolled or expired) is read from the linked window.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const RECOVERY_WHAT = ['lost', 'broken', 'stolen'] as const;
export type RecoveryWhat = (typeof RECOVERY_WHAT)[number];
/** Stored states; `completed` and `expired` are also derived from the linked window when read (lib/recovery/queries.ts). */
export const RECOVERY_STATUSES = ['reported', 'approved', 'rejected', 'completed', 'expired', 'cancelled'] as const;
export type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];

/** One ticked checklist item, as the approver confirmed it. */
export type CheckedItem = { item: string; by: string; at: string };

export const recoveryRequests = pgTable(
  'recovery_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    deviceSerial: text('device_serial').notNull(),
    deviceType: text('device_type', { enum: ['virtual', 'hardware', 'fido'] }).notNull(),
    deviceName: text('device_name').notNull(),
    what: text('what', { enum: RECOVERY_WHAT }).notNull(),
    note: text('note'),
    /** The session's email, or the IAM user ARN of an access-key sign-in. */
    reportedBy: text('reported_by').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    status: text('status', { enum: RECOVERY_STATUSES }).notNull().default('reported'),
    checklist: jsonb('checklist').$type<CheckedItem[]>().notNull().default([]),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    rejectReason: text('reject_reason'),
    graceEndsAt: timestamp('grace_ends_at', { withTimezone: true, mode: 'date' }),
    windowId: bigint('window_id', { mode: 'number' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    // One open request per IAM user: a second report waits until the first is decided, cancelled or over.
    uniqueIndex('recovery_requests_open_idx').on(t.accountId, t.userName).where(sql`${t.status} = 'reported'`),
    index('recovery_requests_status_idx').on(t.status, t.reportedAt),
    index('recovery_requests_user_idx').on(t.accountId, t.userName),
  ],
);

export type RecoveryRequestRow = typeof recoveryRequests.$inferSelect;
