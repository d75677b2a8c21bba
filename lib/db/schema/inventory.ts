/** The IAM inventory: runs, per-account sources, users, snapshots and validation reports (lib/inventory). */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { FlagEvidence } from '@/lib/inventory/classify';
import type { StoredDevice } from './program';

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
    /** inventory | portal (an enrollment through the portal) | verify (a live re-check) | event (an IAM change event, lib/events) */
    source: text('source', { enum: ['inventory', 'portal', 'verify', 'event'] }).notNull(),
    runId: bigint('run_id', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** The email tag's value, trimmed and lower-cased (null without one): the sign-in index, lib/inventory/email-index.ts. */
    emailTag: text('email_tag'),
    /** The tag key emailTag was read with: rows read under another MFA_EMAIL_TAG_KEY (or never) are not in the index. */
    emailTagKey: text('email_tag_key'),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.userName] }),
    index('inventory_users_state_idx').on(t.mfaState, t.consoleAccess),
    index('inventory_users_name_idx').on(t.userName),
    index('inventory_users_email_tag_idx').on(t.emailTagKey, t.emailTag),
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
