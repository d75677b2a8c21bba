import { z } from 'zod';
import { ACCOUNT_ID } from '@/lib/iam-identifiers';

/**
 * Fields of lib/env.ts's schema: the shared parsers and the account-source settings. Reads no environment itself
 * (lib/env.ts stays the only reader of the process environment).
 */

/** An sts:AssumeRole external id: what STS accepts. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export const csv = (fallback = '') =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? fallback).split(',').map((s) => s.trim()).filter(Boolean));

export const emptyIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** MFA_LOG_LEVEL: the least severe level written (lib/log). */
export const logLevelField = z.preprocess(emptyIsUnset, z.enum(LOG_LEVELS, { error: 'must be one of trace, debug, info, warn, error, fatal' }).default('info'));

export type ManagedAccount = { id: string; label: string };

export const ACCOUNTS_REQUIRED = 'is required: a comma-separated list of 12-digit AWS account ids, each optionally followed by :Label';

const accounts = z.string().transform((value, ctx): ManagedAccount[] => {
  const out: ManagedAccount[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id = '', ...rest] = part.split(':');
    if (!ACCOUNT_ID.test(id)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a 12-digit account id (expected e.g. 111111111111:Production)` });
      continue;
    }
    if (out.some((a) => a.id === id)) {
      ctx.addIssue({ code: 'custom', message: `account ${id} is listed twice` });
      continue;
    }
    out.push({ id, label: rest.join(':').trim() || id });
  }
  return out;
});

/** An Organizations root (r-…) or organizational unit (ou-…) id. */
const ORGANIZATIONS_PARENT = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/([\x21-\x7e]+\/)*[\w+=,.@-]{1,64}$/;
const parentIds = () => csv().pipe(z.array(z.string().regex(ORGANIZATIONS_PARENT, 'must be organizational unit ids (ou-…) or the root id (r-…) separated by commas')));
const accountIds = () => csv().pipe(z.array(z.string().regex(ACCOUNT_ID, 'must be 12-digit account ids separated by commas')));

export const accountSourceFields = {
  // Where the managed accounts come from: the MFA_ACCOUNTS list, or AWS Organizations discovery at each inventory run.
  MFA_ACCOUNT_SOURCE: z.enum(['static', 'organizations'], { error: 'must be static or organizations' }).default('static'),
  // Required with the static source (parseEnv checks it, so it is named with the other missing settings).
  MFA_ACCOUNTS: z.preprocess(emptyIsUnset, accounts.optional()).transform((v) => v ?? []),
  // Organizations source: the read-only role in the management account or a delegated administrator (infra/aws
  // OrganizationsReadStack), and which accounts of the organisation to manage. An OU includes its descendants.
  MFA_ORGANIZATIONS_ROLE_ARN: z.preprocess(emptyIsUnset, z.string().regex(ROLE_ARN, 'must be an IAM role ARN, e.g. arn:aws:iam::999999999999:role/MfaPortalOrganizationsRead').optional()),
  MFA_ORGANIZATIONS_EXTERNAL_ID: z.preprocess(emptyIsUnset, z.string().regex(EXTERNAL_ID, 'must be 2-1224 characters of letters, digits and +=,.@:/-').optional()),
  MFA_ORGANIZATIONS_INCLUDE_OUS: parentIds(),
  MFA_ORGANIZATIONS_EXCLUDE_OUS: parentIds(),
  MFA_ORGANIZATIONS_INCLUDE_ACCOUNTS: accountIds(),
  MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS: accountIds(),
};

/** The account-source settings that depend on each other; returns whether the source is Organizations. */
export function checkAccountSource(
  env: { MFA_ACCOUNT_SOURCE: 'static' | 'organizations'; MFA_ACCOUNTS: ManagedAccount[]; MFA_ORGANIZATIONS_ROLE_ARN?: string; MFA_ORGANIZATIONS_EXTERNAL_ID?: string },
  ctx: z.RefinementCtx,
): boolean {
  const organizations = env.MFA_ACCOUNT_SOURCE === 'organizations';
  if (organizations && !env.MFA_ORGANIZATIONS_ROLE_ARN) {
    ctx.addIssue({ code: 'custom', path: ['MFA_ORGANIZATIONS_ROLE_ARN'], message: 'is required with MFA_ACCOUNT_SOURCE=organizations: the role the portal assumes to read AWS Organizations (management account or delegated administrator)' });
  }
  // The read role (infra/aws OrganizationsReadStack) trusts the portal only with its external id: without one every
  // discovery would fail, so say so at start-up rather than at the first inventory run.
  if (organizations && !env.MFA_ORGANIZATIONS_EXTERNAL_ID) {
    ctx.addIssue({ code: 'custom', path: ['MFA_ORGANIZATIONS_EXTERNAL_ID'], message: 'is required with MFA_ACCOUNT_SOURCE=organizations: the external id the Organizations read role trusts (infra/aws organizations.externalId)' });
  }
  if (organizations && env.MFA_ACCOUNTS.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['MFA_ACCOUNTS'], message: 'must be empty with MFA_ACCOUNT_SOURCE=organizations (the accounts come from Organizations; filter them with MFA_ORGANIZATIONS_INCLUDE_* / _EXCLUDE_*)' });
  }
  return organizations;
}

/** MFA_INVENTORY_PAGE_SIZE: MaxItems of the inventory's bulk pages (GetAccountAuthorizationDetails, ListVirtualMFADevices). */
export const inventoryPageSizeField = z.coerce
  .number({ error: 'must be a whole number of items per page' })
  .int('must be a whole number of items per page')
  .min(100, 'must be at least 100 (smaller pages only multiply the calls)')
  .max(1000, "must be at most 1000 (IAM's largest MaxItems)")
  .default(1000);

export const operationsFields = {
  // GET /api/metrics answers only `Authorization: Bearer <MFA_METRICS_TOKEN>`; unset: the route does not exist (404).
  MFA_METRICS_TOKEN: z.preprocess(emptyIsUnset, z.string().min(32, 'must be at least 32 characters (it authorizes the metrics scraper)').optional()),
  // On SIGTERM/SIGINT: how long in-flight requests and runs may take before they are abandoned and the leases released.
  // At most 30: orchestrators (ECS's default stopTimeout, Kubernetes' grace period) kill the process soon after.
  MFA_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(30, 'must be at most 30 seconds: the process must have exited within 30 s of SIGTERM')
    .default(25),
};

/**
 * The security team's weekly campaign digest (lib/campaign/digest.ts): email goes from MFA_REMINDER_EMAIL_FROM to
 * MFA_DIGEST_EMAIL, JSON to MFA_DIGEST_WEBHOOK_URL; unset, that channel is off. `allowedWebhook` is env.ts's rule.
 */
export const digestFields = (allowedWebhook: (url: string) => boolean) => ({
  MFA_DIGEST_EMAIL: csv().pipe(z.array(z.email({ error: 'must be email addresses separated by commas: where the weekly campaign digest goes' })).max(50, 'must be at most 50 addresses')),
  MFA_DIGEST_WEBHOOK_URL: z.preprocess(
    emptyIsUnset,
    z
      .url({ error: 'must be a URL: where the Slack-compatible weekly campaign digest is POSTed' })
      .refine(allowedWebhook, 'must be https:// (http:// only on 127.0.0.1, ::1 or localhost)')
      .optional(),
  ),
});

/**
 * MFA_RECOVERY_MAX_GRACE_HOURS: the longest grace the security team may give after an approved lost-device recovery
 * (lib/recovery). A week at most: a grace is for enrolling a replacement, not another exception.
 */
export const recoveryMaxGraceHoursField = z.coerce
  .number({ error: 'must be a whole number of hours' })
  .int('must be a whole number of hours')
  .min(1, 'must be at least 1 hour')
  .max(168, 'must be at most 168 hours (one week)')
  .default(24);
