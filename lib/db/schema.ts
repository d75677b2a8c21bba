import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Append-only: a trigger (migration 0001) rejects UPDATE and DELETE, so history cannot be rewritten
 * through the application's connection. Never store MFA seeds, OTP codes or access-key secrets here.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Who acted: the person's email, an access-key principal ARN, or `system`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    /** What was acted on, e.g. an IAM user ARN; null when there is no single target. */
    target: text('target'),
    outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
    /** A reason code and non-secret context; before/after values for changes. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action, t.at)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
