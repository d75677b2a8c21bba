/** The audit log: append-only and hash-chained (lib/audit). */
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Append-only: a trigger (migration 0001) rejects UPDATE and DELETE, so history cannot be rewritten
 * through the application's connection; each row is hash-chained to the one before (seq, prev_hash, hash, set by
 * the insert trigger of migration 0012, see lib/audit/README.md). Never store MFA seeds, OTP codes or access-key
 * secrets here.
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
    /** `intent` is written before an AWS mutation; its success/failure row follows and names it (intentId). */
    outcome: text('outcome', { enum: ['intent', 'success', 'failure', 'denied'] }).notNull(),
    /** A reason code and non-secret context; before/after values for changes. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    /** On an outcome row: the id of the intent row it concludes. */
    intentId: bigint('intent_id', { mode: 'number' }),
    /** Position in the hash chain, 1, 2, 3 … without gaps. Set by the insert trigger, never by the caller. */
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    /** The previous row's hash ('' for the first row), and sha256 over this row's fields + prevHash (trigger). */
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action, t.at), uniqueIndex('audit_log_seq_idx').on(t.seq)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
