/** Enrollment attempts and their outcomes (lib/enrollment). */
import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every enrollment attempt, success and failure, with a reason code. Never an OTP code, a seed or a
 * secret. Feeds rate limits, leftover clean-up, the user detail history and the validation report.
 */
export const enrollmentEvents = pgTable(
  'enrollment_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    /** Groups the steps of one virtual enrollment (create -> codes -> enable). */
    enrollmentId: text('enrollment_id'),
    deviceType: text('device_type', { enum: ['virtual', 'hardware', 'fido'] }),
    serial: text('serial'),
    kind: text('kind').notNull(),
    outcome: text('outcome', { enum: ['success', 'failure'] }).notNull(),
    reason: text('reason'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('enrollment_events_user_idx').on(t.accountId, t.userName, t.at),
    index('enrollment_events_enrollment_idx').on(t.enrollmentId),
    index('enrollment_events_kind_idx').on(t.kind, t.at),
  ],
);

export type EnrollmentEvent = typeof enrollmentEvents.$inferSelect;
