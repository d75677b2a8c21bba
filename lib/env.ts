import 'server-only';
import { z } from 'zod';
import { ACCOUNT_ID, IAM_GROUP_NAME, IAM_POLICY_NAME, IAM_ROLE_NAME } from '@/lib/iam-identifiers';
import { ACCOUNTS_REQUIRED, accountSourceFields, checkAccountSource, csv, emptyIsUnset, EXTERNAL_ID, digestFields, inventoryPageSizeField, logLevelField, operationsFields, recoveryMaxGraceHoursField, type LogLevel, type ManagedAccount } from './env-fields';

export type { ManagedAccount };

/**
 * The only reader of process.env. Every setting is parsed once; a missing or malformed one
 * stops start-up (instrumentation.ts calls getEnv()) with a message naming it and what it expects.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Reminder webhooks carry people's names and emails: TLS, except to a receiver on this machine. */
export function isAllowedWebhookUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
  } catch {
    return false;
  }
}

const url = (what: string) =>
  z.url({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : `must be a URL: ${what}`) });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    NEXTAUTH_URL: url('the public URL of this portal, e.g. https://mfa.example.com'),
    NEXTAUTH_SECRET: z
      .string({ error: 'is required: at least 32 random characters (e.g. `openssl rand -base64 32`)' })
      .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
    // Secret rotation: the NEXTAUTH_SECRET before the change. Enrollment cookies sealed under it still open until they
    // expire (10 minutes); remove it after that. Sessions signed under it are not kept.
    MFA_PREVIOUS_SECRET: z.preprocess(emptyIsUnset, z.string().min(32, 'must be at least 32 characters (the previous NEXTAUTH_SECRET)').optional()),

    MFA_LOG_LEVEL: logLevelField,
    AWS_REGION: z.string().min(1).default('us-east-1'),
    AWS_ENDPOINT_URL: url('an alternative IAM/STS endpoint, only for the local stack').optional(),
    ...accountSourceFields,
    MFA_MEMBER_ROLE_NAME: z
      .string()
      .regex(IAM_ROLE_NAME, 'must be an IAM role name')
      .default('MfaPortalMember'),
    MFA_MEMBER_ROLE_EXTERNAL_ID: z
      .string({ error: 'is required: the external id the member-account role trusts' })
      .regex(EXTERNAL_ID, 'must be 2-1224 characters of letters, digits and +=,.@:/-'),
    /**
     * The deploy role: the only role that can write the enforcement policy (versions, default, attachment) and the
     * users' mfa-* tags. The portal assumes it only inside security-team actions (deploy, rollback, tag
     * reconciliation); unset external id: those actions fail.
     */
    MFA_DEPLOY_ROLE_NAME: z
      .string()
      .regex(IAM_ROLE_NAME, 'must be an IAM role name')
      .default('MfaPortalDeploy'),
    MFA_DEPLOY_ROLE_EXTERNAL_ID: z.preprocess(
      emptyIsUnset,
      z
        .string()
        .regex(EXTERNAL_ID, 'must be 2-1224 characters of letters, digits and +=,.@:/-')
        .optional(),
    ),
    MFA_EMAIL_TAG_KEY: z.string().min(1).max(128).default('email'),
    /** The tag naming an IAM user's owner (an address, or a name the reminders page maps to one): escalated reminders go there. */
    MFA_OWNER_TAG_KEY: z.preprocess(emptyIsUnset, z.string().min(1).max(128).default('Owner')),
    MFA_ADMIN_GROUPS: csv('mfa-portal-admins'),
    MFA_SECURITY_GROUPS: csv('mfa-portal-security'),
    /**
     * The accounts whose IAM groups grant portal roles (empty: every managed account, allowed only with a single one).
     * Whoever can edit groups in a listed account can make someone a portal admin, so list only the accounts your
     * identity team controls.
     */
    MFA_ROLE_GROUPS_ACCOUNTS: csv().pipe(z.array(z.string().regex(ACCOUNT_ID, 'must be 12-digit account ids separated by commas'))),

    OIDC_ISSUER: url('the issuer of your identity provider').optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_DISPLAY_NAME: z.string().min(1).default('company single sign-on'),
    OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
    OIDC_ADMIN_GROUPS: csv(),
    OIDC_SECURITY_GROUPS: csv(),
    // The email claim is trusted only with email_verified true; this admits IdPs that never send the claim at all
    // (one that sends email_verified false is still refused).
    OIDC_ALLOW_MISSING_EMAIL_VERIFIED: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true'),

    MFA_AWS_KEYS_SIGNIN: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    // Access-key sign-in throttling (lib/auth/throttle.ts), counted in the database so it holds across instances.
    MFA_SIGNIN_FAILURES_PER_KEY: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000).default(5),
    MFA_SIGNIN_FAILURES_PER_ADDRESS: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(100_000).default(20),
    MFA_SIGNIN_WINDOW_MINUTES: z.coerce.number({ error: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(1, 'must be at least 1 minute').max(1440).default(15),
    // The header a trusted reverse proxy sets to the client's address (e.g. x-forwarded-for: its last entry is used).
    // Unset: no per-address limit, since any client can write such a header itself when no proxy overwrites it.
    MFA_TRUSTED_PROXY_HEADER: z.preprocess(emptyIsUnset, z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name, e.g. x-forwarded-for').optional()),

    // Server-side sessions (lib/auth/sessions.ts): absolute lifetime, idle timeout, how often roles are re-derived.
    MFA_SESSION_MAX_HOURS: z.coerce
      .number({ error: 'must be a whole number of hours' })
      .int('must be a whole number of hours')
      .min(1, 'must be at least 1 hour')
      .max(24, 'must be at most 24 hours')
      .default(8),
    MFA_SESSION_IDLE_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes' })
      .int('must be a whole number of minutes')
      .min(5, 'must be at least 5 minutes')
      .max(1440, 'must be at most 1440 minutes')
      .default(60),
    MFA_SESSION_ROLES_REFRESH_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes' })
      .int('must be a whole number of minutes')
      .min(1, 'must be at least 1 minute')
      .max(5, 'must be at most 5 minutes: a person removed from an admin group must lose admin within that time')
      .default(5),

    MFA_INVENTORY_LIST_ALL_DEVICES: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true'),
    // Root users: the organisation has centralized root access (Organizations feature RootCredentialsManagement), so a
    // root row with no MFA, no sign-in, no key and no certificate is an account without root credentials.
    MFA_ROOT_CREDENTIALS_MANAGEMENT: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true'),
    // Accounts collected at once (each makes one IAM call at a time: IAM throttles per account), so also the most
    // IAM calls the inventory has in flight.
    MFA_INVENTORY_CONCURRENCY: z.coerce
      .number({ error: 'must be a whole number of accounts' })
      .int('must be a whole number of accounts')
      .min(1, 'must be at least 1')
      .max(64, 'must be at most 64')
      .default(10),
    // Users (and virtual devices) per bulk page: smaller pages mean more calls, less to parse at once per account.
    MFA_INVENTORY_PAGE_SIZE: inventoryPageSizeField,
    MFA_INVENTORY_REFRESH_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes (0 turns the scheduled refresh off)' })
      .int('must be a whole number of minutes (0 turns the scheduled refresh off)')
      .min(0, 'must be 0 (off) or more minutes')
      .max(10_080, 'must be at most 10080 minutes (one week)')
      .default(0),

    // Inventory flags (lib/inventory/classify.ts): when console access is stale, and what marks a service user.
    MFA_STALE_CONSOLE_DAYS: z.coerce
      .number({ error: 'must be a whole number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(3650, 'must be at most 3650 days')
      .default(90),
    MFA_SERVICE_USER_TAGS: csv().pipe(
      z.array(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/+\-@]{1,128}(=[\p{L}\p{Z}\p{N}_.:/+\-@]{0,256})?$/u, 'must be tag keys or key=value pairs separated by commas, e.g. kind=service')),
    ),
    MFA_SERVICE_USER_PATHS: csv().pipe(
      z.array(z.string().regex(/^\/([\x21-\x2e\x30-\x7e]+\/)*$/, 'must be IAM path prefixes that start and end with /, e.g. /service/')),
    ),
    MFA_SERVICE_USER_GROUPS: csv().pipe(z.array(z.string().regex(IAM_GROUP_NAME, 'must be IAM group names separated by commas'))),

    MFA_CRON_SECRET: z.string().min(32, 'must be at least 32 characters (it authorizes scheduled jobs)').optional(),
    ...operationsFields,

    // IAM change events (lib/events): the SQS queue the member accounts' EventBridge rules feed, and how it is read:
    // poll (an in-process long-poll loop) or cron (only POST /api/cron/events drains it, for schedulers).
    MFA_EVENTS_QUEUE_URL: z.preprocess(emptyIsUnset, url('the SQS queue of IAM change events (infra/aws portal stack output EventsQueueUrl)').optional()),
    MFA_EVENTS_MODE: z.enum(['poll', 'cron'], { error: 'must be poll or cron' }).default('poll'),

    // An empty value (`KEY=` in an env file) means the channel is off.
    MFA_REMINDER_EMAIL_FROM: z.preprocess(
      emptyIsUnset,
      z.email({ error: 'must be an email address that Amazon SES may send from (a verified identity), e.g. mfa-portal@example.com' }).optional(),
    ),
    MFA_REMINDER_WEBHOOK_URL: z.preprocess(
      emptyIsUnset,
      z
        .url({ error: 'must be a URL: where Slack-compatible reminder messages are POSTed' })
        .refine(isAllowedWebhookUrl, 'must be https:// (http:// only on 127.0.0.1, ::1 or localhost)')
        .optional(),
    ),
    // Lost-device recovery (lib/recovery): the cap on the grace hours the security team sets in the portal.
    MFA_RECOVERY_MAX_GRACE_HOURS: recoveryMaxGraceHoursField,
    MFA_REMINDER_INTERVAL_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes (0 turns the scheduled reminders off)' })
      .int('must be a whole number of minutes (0 turns the scheduled reminders off)')
      .min(0, 'must be 0 (off) or more minutes')
      .max(1440, 'must be at most 1440 minutes (one day): reminders are due on a given day')
      .default(0),
    ...digestFields(isAllowedWebhookUrl),

    MFA_ENFORCEMENT_POLICY_NAME: z
      .string()
      .regex(IAM_POLICY_NAME, 'must be an IAM policy name (letters, digits and +=,.@-_)')
      .default('MfaPortalEnforcement'),
    MFA_ENFORCEMENT_POLICY_PATH: z
      .string()
      .regex(/^\/([\x21-\x2e\x30-\x7e]+\/)*$/, 'must be an IAM path that starts and ends with /, e.g. / or /mfa-portal/')
      .default('/'),
    MFA_ENFORCEMENT_GROUPS: csv('mfa-enforced').pipe(
      z.array(z.string().regex(IAM_GROUP_NAME, 'must be IAM group names separated by commas')).min(1, 'must name at least one IAM group'),
    ),

    DATABASE_URL: z
      .string()
      .regex(/^(postgres(ql)?:\/\/.+|pglite:.+)$/, 'must be postgres://user:pass@host/db or pglite:<directory>')
      .default('pglite:.data/pglite'),
  })
  .superRefine((env, ctx) => {
    const organizations = checkAccountSource(env, ctx);
    // With Organizations the accounts are known only at run time; the role-groups accounts are then checked when
    // they are read (an account the discovery does not manage grants no roles).
    if (!organizations) {
      for (const id of env.MFA_ROLE_GROUPS_ACCOUNTS) {
        if (!env.MFA_ACCOUNTS.some((a) => a.id === id)) ctx.addIssue({ code: 'custom', path: ['MFA_ROLE_GROUPS_ACCOUNTS'], message: `lists ${id}, which is not in MFA_ACCOUNTS` });
      }
    }
    // Whoever can edit IAM groups in any managed account could otherwise make themselves a portal admin. With IAM
    // group names both empty, roles come only from the IdP's groups claim and no account's groups matter. An
    // organisation may grow past one account at any run, so it always counts as several.
    const iamGroupsGrantRoles = env.MFA_ADMIN_GROUPS.length > 0 || env.MFA_SECURITY_GROUPS.length > 0;
    const several = organizations || env.MFA_ACCOUNTS.length > 1;
    if (several && env.MFA_ROLE_GROUPS_ACCOUNTS.length === 0 && iamGroupsGrantRoles) {
      ctx.addIssue({
        code: 'custom',
        path: ['MFA_ROLE_GROUPS_ACCOUNTS'],
        message:
          'is required with more than one managed account: otherwise anyone who can edit IAM groups in any of them could make themselves a portal admin. ' +
          'List the account(s) whose groups grant portal roles (e.g. your security account), or set MFA_ADMIN_GROUPS= and MFA_SECURITY_GROUPS= empty to take roles only from the IdP groups claim' +
          (organizations ? ' (with MFA_ACCOUNT_SOURCE=organizations the accounts can grow at any run, so it is always required)' : ''),
      });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      for (const key of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when any OIDC_* setting is given' });
      }
    }
    if (!oidc.every(Boolean) && !env.MFA_AWS_KEYS_SIGNIN) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'no sign-in method: configure OIDC_* or set MFA_AWS_KEYS_SIGNIN=true' });
    }
  });

export type Env = z.output<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  const staticSource = (source.MFA_ACCOUNT_SOURCE?.trim() || 'static') === 'static';
  const missingAccounts = staticSource && !source.MFA_ACCOUNTS?.trim() ? [`MFA_ACCOUNTS ${ACCOUNTS_REQUIRED}`] : [];
  if (result.success && missingAccounts.length === 0) return result.data;
  throw new ConfigError([...missingAccounts, ...(result.error?.issues ?? []).map((i) => `${i.path.join('.') || 'configuration'} ${i.message}`)]);
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * The log level alone, readable when the rest of the configuration is invalid (the logger reports that problem);
 * an invalid value falls back to info here and stops start-up through getEnv().
 */
export function getLogLevel(): LogLevel {
  const parsed = logLevelField.safeParse(process.env.MFA_LOG_LEVEL);
  return parsed.success ? parsed.data : 'info';
}

export const oidcConfigured = (env: Env) => Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);
