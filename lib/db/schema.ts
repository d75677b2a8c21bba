import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, pgView, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { FlagEvidence } from '@/lib/inventory/classify';

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

/**
 * An attempt under a rate limit that has been let through but not yet recorded as an enrollment event. Taken under a
 * transaction-scoped advisory lock together with the count, so parallel attempts cannot all see room for one more;
 * removed in the transaction that records the attempt's event (or when the attempt ends without one).
 */
export const rateLimitHolds = pgTable(
  'rate_limit_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
  },
  (t) => [index('rate_limit_holds_user_idx').on(t.accountId, t.userName, t.kind, t.at)],
);

/** A failed access-key sign-in (AWS refused the keys): counted per key id and per client address to throttle guessing. */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    keyId: text('key_id').notNull(),
    /** From the trusted proxy header only; null when none is configured. */
    address: text('address'),
  },
  (t) => [index('sign_in_failures_key_idx').on(t.keyId, t.at), index('sign_in_failures_address_idx').on(t.address, t.at)],
);

/** One inventory collection (all managed accounts), its progress and the API calls it made. */
export const inventoryRuns = pgTable(
  'inventory_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /** running -> succeeded | partial (some accounts failed) | failed */
    status: text('status', { enum: ['running', 'succeeded', 'partial', 'failed'] }).notNull(),
    trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
    actor: text('actor').notNull(),
    /** { accountsTotal, accountsDone, usersSeen, phase } */
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    /** IAM/STS calls by operation, e.g. { GetAccountAuthorizationDetails: 3, ListMFADevices: 120 } */
    calls: jsonb('calls').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    /** The running run's lease: refreshed while it works; a running row whose heartbeat is old is taken over. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('inventory_runs_started_idx').on(t.startedAt),
    // At most one running collection across every app instance sharing the database.
    uniqueIndex('inventory_runs_one_running_idx').on(t.status).where(sql`${t.status} = 'running'`),
  ],
);

/** Per account and run: when each source was read (the credential report carries its own generation time). */
export const inventoryAccounts = pgTable(
  'inventory_accounts',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull().references(() => inventoryRuns.id),
    accountId: text('account_id').notNull(),
    alias: text('alias'),
    collectedAt: timestamp('collected_at', { withTimezone: true, mode: 'date' }),
    credentialReportAt: timestamp('credential_report_at', { withTimezone: true, mode: 'date' }),
    /** Root user MFA from the credential report's <root_account> row; null when the report has none. */
    rootMfaActive: boolean('root_mfa_active'),
    /** mfa | no-mfa | no-root-credentials (not applicable) | not-reported: lib/inventory/credential-report.ts rootStatus */
    rootStatus: text('root_status', { enum: ['mfa', 'no-mfa', 'no-root-credentials', 'not-reported'] }),
    users: integer('users').notNull().default(0),
    error: text('error'),
    /** Unassigned virtual devices that name no user of the account (neither mfa/<user>… nor the portal's path). */
    unattributedLeftovers: jsonb('unattributed_leftovers').$type<string[]>().notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.runId, t.accountId] })],
);

/**
 * The current state of every IAM user in every managed account: replaced by each inventory run, and
 * updated at once by the portal's own enrollments and by "verify now".
 */
export const inventoryUsers = pgTable(
  'inventory_users',
  {
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
    arn: text('arn').notNull(),
    path: text('path').notNull().default('/'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }),
    consoleAccess: boolean('console_access').notNull(),
    passwordLastUsed: timestamp('password_last_used', { withTimezone: true, mode: 'date' }),
    accessKeyLastUsed: timestamp('access_key_last_used', { withTimezone: true, mode: 'date' }),
    tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
    groups: jsonb('groups').$type<string[]>().notNull().default([]),
    /** [{ serial, type, name, enabledAt }] */
    devices: jsonb('devices').$type<StoredDevice[]>().notNull().default([]),
    leftoverDevices: jsonb('leftover_devices').$type<string[]>().notNull().default([]),
    mfaState: text('mfa_state', { enum: ['enabled', 'none', 'leftover-only'] }).notNull(),
    /** Codes of lib/inventory/classify.ts INVENTORY_FLAGS. */
    flags: jsonb('flags').$type<string[]>().notNull().default([]),
    /** Per flag: the rule, the facts with their dates, the setting involved (classify.ts FlagEvidence). */
    flagEvidence: jsonb('flag_evidence').$type<FlagEvidence[]>().notNull().default([]),
    /** inventory | portal (an enrollment through the portal) | verify (a live re-check) */
    source: text('source', { enum: ['inventory', 'portal', 'verify'] }).notNull(),
    runId: bigint('run_id', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.userName] }),
    index('inventory_users_state_idx').on(t.mfaState, t.consoleAccess),
    index('inventory_users_name_idx').on(t.userName),
  ],
);

/** Coverage figures at the end of each run, for the chart over time. */
export const inventorySnapshots = pgTable('inventory_snapshots', {
  runId: bigint('run_id', { mode: 'number' })
    .primaryKey()
    .references(() => inventoryRuns.id),
  takenAt: timestamp('taken_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** { consoleUsers, withMfa, withoutMfa, exceptions, outOfScope, inScope, coveragePct, byAccount: {...} } */
  totals: jsonb('totals').$type<Record<string, unknown>>().notNull(),
});

/** Each generated validation report, kept as it was produced (auditors ask "what did you know, when"). */
export const validationReports = pgTable(
  'validation_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    generatedAt: timestamp('generated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('validation_reports_generated_idx').on(t.generatedAt)],
);

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
 * matches, unless an admin's decision overrides it. The `program_users` view (migration 0007) resolves
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
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    recipient: text('recipient'),
    /** sending (claimed) -> sent | failed (retried later) | unknown (the sender stopped mid-send: never resent) */
    status: text('status', { enum: ['sending', 'sent', 'failed', 'unknown'] }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    messageId: text('message_id'),
    error: text('error'),
    trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
    actor: text('actor').notNull(),
  },
  (t) => [
    uniqueIndex('reminder_sends_once_idx').on(t.accountId, t.userName, t.deadline, t.step, t.channel),
    index('reminder_sends_claimed_idx').on(t.claimedAt),
  ],
);

export type ReminderSendRow = typeof reminderSends.$inferSelect;

/**
 * Every inventoried IAM user with the program applied (migration 0007 defines it). Time-dependent parts use the
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
  source: text('source', { enum: ['inventory', 'portal', 'verify'] }).notNull(),
  runId: bigint('run_id', { mode: 'number' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  categoryId: integer('category_id'),
  categoryName: text('category_name'),
  /** selector | override | none */
  categorySource: text('category_source', { enum: ['selector', 'override', 'none'] }).notNull(),
  cohort: text('cohort'),
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
}).existing();

export type ProgramUserRow = typeof programUsers.$inferSelect;

/**
 * One row per sign-in (issue 11 §1): the session cookie carries only the row's id, so the server can end a session
 * (sign-out, an admin, idle or absolute expiry) and a replayed cookie is refused. Roles and principals are re-derived
 * from IAM groups and the IdP's groups claim (kept from sign-in) every MFA_SESSION_ROLES_REFRESH_MINUTES.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    /** 256 random bits, base64url; the only thing the JWT holds. */
    id: text('id').primaryKey(),
    /** The person's stable id (email or IAM user ARN), as in the audit log. */
    person: text('person').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    method: text('method', { enum: ['oidc', 'aws-keys'] }).notNull(),
    roles: jsonb('roles').$type<('member' | 'admin' | 'security')[]>().notNull(),
    principals: jsonb('principals').$type<{ accountId: string; userName: string; arn: string }[]>().notNull(),
    /** The IdP's groups claim at sign-in (OIDC only): re-derivation reuses it, IAM groups are read afresh. */
    groupsClaim: jsonb('groups_claim').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
    rolesCheckedAt: timestamp('roles_checked_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Fixed at sign-in; no request moves it. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    idleTimeoutSeconds: integer('idle_timeout_seconds').notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endReason: text('end_reason', { enum: ['sign-out', 'idle', 'expired', 'ended-by-admin'] }),
    /** The IdP's ID token from sign-in (OIDC only), kept server-side as the id_token_hint of RP-initiated logout. */
    idToken: text('id_token'),
  },
  (t) => [index('portal_sessions_person_idx').on(t.person, t.createdAt)],
);

export type PortalSessionRow = typeof portalSessions.$inferSelect;
