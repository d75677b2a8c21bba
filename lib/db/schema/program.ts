/**
 * The MFA program: device types and decisions, categories, per-user decisions, settings, hardware tokens, reminders
 * and the program_users view (lib/program).
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, pgView, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sendColumns } from './send-columns';
import type { FlagEvidence } from '@/lib/inventory/classify';

export const DEVICE_TYPES = ['virtual', 'hardware', 'fido'] as const;
/**
 * A device as inventory_users.devices stores it. `certifications` (FIDO only, from GetMFADevice): absent = not read,
 * {} = read and none (e.g. a synced passkey), else e.g. { "FIDO": "L1", "FIPS-140-3": "L2" }.
 */
export type StoredDevice = { serial: string; type: DeviceType; name: string; enabledAt: string | null; certifications?: Record<string, string> | null };
export type DeviceType = (typeof DEVICE_TYPES)[number];
export const DECISIONS = ['required', 'exception', 'out-of-scope'] as const;
export type Decision = (typeof DECISIONS)[number];
export const SELECTOR_KINDS = ['group', 'tag', 'path', 'account'] as const;
export type SelectorKind = (typeof SELECTOR_KINDS)[number];

/**
 * The security team's categories. A user belongs to the first category (by position) whose selector
 * matches, unless an admin's decision overrides it. The `program_users` view (last defined in migration 0011) resolves
 * this in SQL; lib/program/resolve.ts is the same rule in TypeScript, and a property test keeps them equal.
 */
export const programCategories = pgTable(
  'program_categories',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    selectorKind: text('selector_kind', { enum: SELECTOR_KINDS }).notNull(),
    /** The tag key, for tag selectors only. */
    selectorKey: text('selector_key'),
    /** Group name, tag value, path prefix or account id. */
    selectorValue: text('selector_value').notNull(),
    defaultDecision: text('default_decision', { enum: DECISIONS }).notNull(),
    allowedDeviceTypes: jsonb('allowed_device_types').$type<DeviceType[]>().notNull(),
    /** 2 when a backup device is required. */
    minDevices: integer('min_devices').notNull().default(1),
    /**
     * Only security keys AWS reports a certification for (FIDO level, FIPS 140-2 or 140-3; GetMFADevice) count.
     * Only with allowed types = FIDO (phishing-resistant); program-input.ts refuses anything else.
     */
    requireCertifiedKey: boolean('require_certified_key').notNull().default(false),
    deadline: timestamp('deadline', { withTimezone: true, mode: 'date' }).notNull(),
    /** The `mfa-cohort` tag value enforcement uses for this category's users. */
    cohort: text('cohort').notNull(),
    /** For a default decision of exception: the justification; of out of scope: the reason. */
    reason: text('reason'),
    approver: text('approver'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** Extensions (issue 15 §1): the most days past the category deadline a member may get at once; 0 = none. */
    extensionMaxDays: integer('extension_max_days').notNull().default(0),
    /** Extensions: how many times per IAM user a member may get one at once. */
    extensionMaxCount: integer('extension_max_count').notNull().default(0),
    /** A user created after the deadline gets this many days from its creation (issue 15 §2); 0 = none. */
    newUserWindowDays: integer('new_user_window_days').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [uniqueIndex('program_categories_name_idx').on(sql`lower(${t.name})`), index('program_categories_position_idx').on(t.position)],
);

export type CategoryRow = typeof programCategories.$inferSelect;

/** An admin's decision about one IAM user: a category override and/or a decision (null: the category's default). */
export const programDecisions = pgTable(
  'program_decisions',
  {
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    categoryId: integer('category_id').references(() => programCategories.id),
    decision: text('decision', { enum: DECISIONS }),
    /** Exception: the justification; out of scope: the reason. */
    reason: text('reason'),
    approver: text('approver'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    decidedBy: text('decided_by').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userName] }), index('program_decisions_category_idx').on(t.categoryId)],
);

export type DecisionRow = typeof programDecisions.$inferSelect;

/** Program-wide settings: one row (id 1). */
export const programSettings = pgTable('program_settings', {
  id: integer('id').primaryKey().default(1),
  /** Days before a deadline on which reminders go out, e.g. [14, 7, 1]. */
  reminderDays: jsonb('reminder_days').$type<number[]>().notNull().default([14, 7, 1]),
  /** Users without an mfa-cohort tag (e.g. created since the last tag reconciliation) are enforced with this cohort. */
  defaultCohort: text('default_cohort'),
  /** The last N reminder steps also go to the IAM user's owner and the account's contact (0: never). */
  escalateSteps: integer('escalate_steps').notNull().default(1),
  /** What an admin must confirm before approving a lost-device recovery (lib/recovery/checklist.ts). */
  recoveryChecklist: jsonb('recovery_checklist')
    .$type<string[]>()
    .notNull()
    .default([
      'Verified the person on a video or in-person call against their photo in the staff directory',
      'Confirmed the request with their manager through a channel other than the one the request came from',
    ]),
  /** Hours of grace after an approved recovery; never more than MFA_RECOVERY_MAX_GRACE_HOURS. */
  recoveryGraceHours: integer('recovery_grace_hours').notNull().default(24),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedBy: text('updated_by').notNull().default('system'),
});

/** The organisation's hardware TOTP tokens and who each is issued to. */
export const hardwareTokens = pgTable(
  'hardware_tokens',
  {
    serial: text('serial').primaryKey(),
    model: text('model').notNull(),
    issuedAccountId: text('issued_account_id'),
    issuedUserName: text('issued_user_name'),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'date' }),
    note: text('note'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [index('hardware_tokens_issued_idx').on(t.issuedAccountId, t.issuedUserName)],
);

/**
 * One reminder to one IAM user for one deadline step on one channel. The unique index is the
 * exactly-once guarantee: a worker sends only after its INSERT claimed the row.
 */
export const reminderSends = pgTable(
  'reminder_sends',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    categoryId: integer('category_id'),
    cohort: text('cohort'),
    deadline: timestamp('deadline', { withTimezone: true, mode: 'date' }).notNull(),
    /** `14d`, `7d`, `1d`… for scheduled steps; `manual-<id>` for an admin's send-now. */
    step: text('step').notNull(),
    /** Whom this send is for: the IAM user's person, or (escalated steps, email) its owner or its account's contact. */
    recipientRole: text('recipient_role', { enum: ['user', 'owner', 'account'] }).notNull().default('user'),
    recipient: text('recipient'),
    ...sendColumns(),
  },
  (t) => [
    uniqueIndex('reminder_sends_once_idx').on(t.accountId, t.userName, t.deadline, t.step, t.channel, t.recipientRole),
    index('reminder_sends_claimed_idx').on(t.claimedAt),
  ],
);

export type ReminderSendRow = typeof reminderSends.$inferSelect;

/**
 * Every inventoried IAM user with the program applied (last defined in migration 0011; 0007 first created it). Time-dependent parts use the
 * database's now(), so an exception past its expiry is a gap without anyone touching it.
 */
export const programUsers = pgView('program_users', {
  accountId: text('account_id').notNull(),
  userName: text('user_name').notNull(),
  arn: text('arn').notNull(),
  path: text('path').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }),
  consoleAccess: boolean('console_access').notNull(),
  passwordLastUsed: timestamp('password_last_used', { withTimezone: true, mode: 'date' }),
  accessKeyLastUsed: timestamp('access_key_last_used', { withTimezone: true, mode: 'date' }),
  tags: jsonb('tags').$type<Record<string, string>>().notNull(),
  groups: jsonb('groups').$type<string[]>().notNull(),
  devices: jsonb('devices').$type<StoredDevice[]>().notNull(),
  leftoverDevices: jsonb('leftover_devices').$type<string[]>().notNull(),
  mfaState: text('mfa_state', { enum: ['enabled', 'none', 'leftover-only'] }).notNull(),
  flags: jsonb('flags').$type<string[]>().notNull(),
  source: text('source', { enum: ['inventory', 'portal', 'verify', 'event'] }).notNull(),
  runId: bigint('run_id', { mode: 'number' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  categoryId: integer('category_id'),
  categoryName: text('category_name'),
  /** selector | override | none */
  categorySource: text('category_source', { enum: ['selector', 'override', 'none'] }).notNull(),
  cohort: text('cohort'),
  /** The effective deadline: the user's active window's end (lib/windows) when there is one, else the category's (0021). */
  deadline: timestamp('deadline', { withTimezone: true, mode: 'date' }),
  allowedDeviceTypes: jsonb('allowed_device_types').$type<DeviceType[]>().notNull(),
  minDevices: integer('min_devices').notNull(),
  requireCertifiedKey: boolean('require_certified_key').notNull(),
  decision: text('decision', { enum: DECISIONS }).notNull(),
  /** user | category | default */
  decisionSource: text('decision_source', { enum: ['user', 'category', 'default'] }).notNull(),
  decisionReason: text('decision_reason'),
  approver: text('approver'),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  exceptionExpired: boolean('exception_expired').notNull(),
  allowedDevices: integer('allowed_devices').notNull(),
  compliant: boolean('compliant').notNull(),
  inScope: boolean('in_scope').notNull(),
  /** null, or no-mfa | disallowed-type | not-certified | needs-backup for an in-scope user who is not compliant */
  programGap: text('program_gap', { enum: ['no-mfa', 'disallowed-type', 'not-certified', 'needs-backup'] }),
  /** inventory_users.flag_evidence (migration 0011 appends it to the view). */
  flagEvidence: jsonb('flag_evidence').$type<FlagEvidence[]>().notNull(),
  /** The category's own deadline; `deadline` is the effective one (an active window's end, else this). Migration 0021. */
  categoryDeadline: timestamp('category_deadline', { withTimezone: true, mode: 'date' }),
  /** The user's active window (lib/windows), if any. */
  windowId: bigint('window_id', { mode: 'number' }),
  windowKind: text('window_kind', { enum: ['extension', 'new-user', 'grace'] }),
  windowEndsAt: timestamp('window_ends_at', { withTimezone: true, mode: 'date' }),
}).existing();

export type ProgramUserRow = typeof programUsers.$inferSelect;
