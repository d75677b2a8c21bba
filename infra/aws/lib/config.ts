import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EnforcementInput } from '../../../lib/enforcement/policy';
import { buildPolicySet } from '../../../lib/enforcement/policy-set';
import { hostingSchema } from './hosting-config';

/**
 * Everything the CDK app needs to know, from one JSON file (default `config.example.json` beside this folder)
 * with individual keys overridable from CDK context (`-c memberRoleExternalId=…`). Validated here, once: the
 * stacks trust what they get.
 */

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
/** IAM user, group, role and policy names share this alphabet. */
const iamName = (max: number) => z.string().regex(/^[\w+=,.@-]+$/, 'may hold letters, digits and +=,.@_- only').min(1).max(max);
const groupList = (fallback: string) => z.array(iamName(128)).default([fallback]);

const stackSetSchema = z
  .object({
    /** SERVICE_MANAGED: AWS Organizations deploys to OUs (and to accounts joining them later). SELF_MANAGED: listed accounts. */
    permissionModel: z.enum(['SERVICE_MANAGED', 'SELF_MANAGED']).default('SERVICE_MANAGED'),
    /** SERVICE_MANAGED from a delegated administrator account needs DELEGATED_ADMIN; from the management account, SELF. */
    callAs: z.enum(['SELF', 'DELEGATED_ADMIN']).default('SELF'),
    organizationalUnitIds: z.array(z.string().regex(/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/, 'must be an OU id (ou-…) or a root id (r-…)')).default([]),
    accountIds: z.array(accountId).default([]),
    /** The account the StackSet stack is deployed to: the management account or a delegated administrator. */
    adminAccountId: accountId.optional(),
    stackSetName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold letters, digits and hyphens').default('mfa-portal-member'),
  })
  .superRefine((s, ctx) => {
    if (s.permissionModel === 'SERVICE_MANAGED' && s.organizationalUnitIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['organizationalUnitIds'], message: 'SERVICE_MANAGED needs at least one OU (or root) id' });
    if (s.permissionModel === 'SELF_MANAGED' && s.accountIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['accountIds'], message: 'SELF_MANAGED needs at least one account id' });
    if (s.permissionModel === 'SELF_MANAGED' && s.callAs !== 'SELF')
      ctx.addIssue({ code: 'custom', path: ['callAs'], message: 'SELF_MANAGED stack sets are always called as SELF' });
  });

/** The Organizations source (MFA_ACCOUNT_SOURCE=organizations): where the read role goes, and its external id. */
const organizationsSchema = z.object({
  /** The management account, or the delegated administrator the portal reads Organizations from. */
  accountId,
  readRoleName: iamName(64).default('MfaPortalOrganizationsRead'),
  /** MFA_ORGANIZATIONS_EXTERNAL_ID. */
  externalId: z
    .string({ error: 'is required: the external id the Organizations read role trusts (MFA_ORGANIZATIONS_EXTERNAL_ID)' })
    .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-'),
});

const configSchema = z
  .object({
    /** The account the portal runs in. */
    hostingAccountId: accountId,
    /** The portal's region: its SES identity lives here, and the stacks deploy here (IAM itself is global). */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. us-east-1').default('us-east-1'),

    portalRoleName: iamName(64).default('MfaPortal'),
    /** Who runs the portal: ECS tasks by default; tasks.apprunner.amazonaws.com, ec2.amazonaws.com, … */
    portalServicePrincipal: z
      .string()
      .regex(/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/, 'must be an AWS service principal, e.g. ecs-tasks.amazonaws.com')
      .default('ecs-tasks.amazonaws.com'),
    /** Trust the service only on behalf of the hosting account (aws:SourceAccount); default on for ECS tasks, which send it. */
    portalTrustSourceAccount: z.boolean().optional(),
    /** The SES identity (domain or address) reminders are sent from; unset: the portal gets no SES permission. */
    reminderEmailIdentity: z
      .string()
      .regex(/^([^@\s]+@)?[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain or an email address')
      .optional(),
    /** MFA_REMINDER_EMAIL_FROM: the only sender address the portal may use. */
    reminderEmailFrom: z.email('must be an email address').optional(),

    memberRoleName: iamName(64).default('MfaPortalMember'),
    memberRoleExternalId: z
      .string({ error: 'is required: the external id the member role trusts (MFA_MEMBER_ROLE_EXTERNAL_ID)' })
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-'),
    /** The role that alone writes the enforcement policy (MFA_DEPLOY_ROLE_NAME), with an external id of its own. */
    deployRoleName: iamName(64).default('MfaPortalDeploy'),
    deployRoleExternalId: z
      .string({ error: 'is required: the external id the deploy role trusts (MFA_DEPLOY_ROLE_EXTERNAL_ID)' })
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-'),
    /** MFA_ACCOUNTS' ids: limit sts:AssumeRole to these accounts' member roles. Empty: the member role in any account. */
    managedAccountIds: z.array(accountId).default([]),

    adminGroups: groupList('mfa-portal-admins'),
    securityGroups: groupList('mfa-portal-security'),
    /** The groups the enforcement policy is attached to. */
    enforcedGroups: groupList('mfa-enforced'),
    /** Create the admin and security groups only in this account (where the people's IAM users are); unset: in every account. */
    portalGroupsAccountId: accountId.optional(),

    enforcementPolicyName: iamName(128).default('MfaPortalEnforcement'),
    enforcementPolicyPath: z.string().regex(/^\/([\w+=,.@-]+\/)*$/, 'must start and end with /').max(512).default('/'),
    /** The program the policy's first version is generated from, relative to the config file. */
    programFile: z.string().min(1).default('program.example.json'),

    stackSet: stackSetSchema.optional(),
    /** Unset: no Organizations read role (the portal's static MFA_ACCOUNTS source). */
    organizations: organizationsSchema.optional(),

    /**
     * IAM change events (lib/events): an EventBridge rule in each managed account sends to a queue in the portal's
     * account. Default: on when the senders can be named (eventsOrganizationId or managedAccountIds).
     */
    events: z.boolean().optional(),
    /** The AWS Organizations id (o-…): any account of it may send events (aws:PrincipalOrgID); else managedAccountIds. */
    eventsOrganizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id (o-…)').optional(),
    /** The portal's own hosting (lib/hosting-config.ts); unset: no hosting stack. */
    hosting: hostingSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.reminderEmailFrom && !c.reminderEmailIdentity)
      ctx.addIssue({ code: 'custom', path: ['reminderEmailIdentity'], message: 'is required with reminderEmailFrom (the SES identity the address belongs to)' });
    if (c.reminderEmailFrom && c.reminderEmailIdentity) {
      const identity = c.reminderEmailIdentity.toLowerCase();
      const from = c.reminderEmailFrom.toLowerCase();
      if (from !== identity && !from.endsWith(`@${identity}`))
        ctx.addIssue({ code: 'custom', path: ['reminderEmailFrom'], message: `must be ${identity} or an address at it` });
    }
    const groups = [...c.adminGroups, ...c.securityGroups, ...c.enforcedGroups];
    const seen = new Set<string>();
    for (const g of groups) {
      // IAM names are unique case-insensitively.
      if (seen.has(g.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['enforcedGroups'], message: `group ${g} is listed twice` });
      seen.add(g.toLowerCase());
    }
    if (c.enforcedGroups.length === 0) ctx.addIssue({ code: 'custom', path: ['enforcedGroups'], message: 'needs at least one group to attach the enforcement policy to' });
    // The hosting account is often managed too: both roles would then live in one account.
    if (c.portalRoleName.toLowerCase() === c.memberRoleName.toLowerCase())
      ctx.addIssue({ code: 'custom', path: ['memberRoleName'], message: 'must differ from portalRoleName' });
    if ([c.portalRoleName, c.memberRoleName].some((n) => n.toLowerCase() === c.deployRoleName.toLowerCase()))
      ctx.addIssue({ code: 'custom', path: ['deployRoleName'], message: 'must differ from portalRoleName and memberRoleName' });
    // The same id would let anything that can assume the member role also assume the deploy role.
    if (c.deployRoleExternalId === c.memberRoleExternalId)
      ctx.addIssue({ code: 'custom', path: ['deployRoleExternalId'], message: 'must differ from memberRoleExternalId' });
    if (c.organizations && [c.memberRoleExternalId, c.deployRoleExternalId].includes(c.organizations.externalId))
      ctx.addIssue({ code: 'custom', path: ['organizations', 'externalId'], message: 'must differ from memberRoleExternalId and deployRoleExternalId' });
    if (c.organizations && [c.portalRoleName, c.memberRoleName, c.deployRoleName].some((n) => n.toLowerCase() === c.organizations!.readRoleName.toLowerCase()))
      ctx.addIssue({ code: 'custom', path: ['organizations', 'readRoleName'], message: 'must differ from portalRoleName, memberRoleName and deployRoleName' });
    const senders = Boolean(c.eventsOrganizationId) || c.managedAccountIds.length > 0;
    if (c.events === true && !senders)
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'needs eventsOrganizationId or managedAccountIds: the queue accepts events only from named accounts' });
    // EventBridge delivers to a queue in another account only within one Region, and IAM's events are in us-east-1.
    if ((c.events ?? senders) && c.region !== 'us-east-1')
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'must be us-east-1 for IAM change events (IAM records them there); or set "events": false' });
    if (c.hosting && c.portalServicePrincipal !== 'ecs-tasks.amazonaws.com')
      ctx.addIssue({ code: 'custom', path: ['portalServicePrincipal'], message: 'must be ecs-tasks.amazonaws.com with hosting (the portal runs as an ECS task)' });
    if (c.hosting && c.hosting.certificateArn.split(':')[3] !== c.region)
      ctx.addIssue({ code: 'custom', path: ['hosting', 'certificateArn'], message: `must be a certificate in ${c.region}, the load balancer's region` });
    if (c.hosting && !c.organizations && c.managedAccountIds.length === 0 && !c.hosting.environment.MFA_ACCOUNTS)
      ctx.addIssue({ code: 'custom', path: ['hosting'], message: 'needs the managed accounts: managedAccountIds, an organizations section or hosting.environment.MFA_ACCOUNTS' });
    if (c.hosting?.existingVpc && c.hosting.existingVpc.availabilityZones.some((z) => !z.startsWith(c.region)))
      ctx.addIssue({ code: 'custom', path: ['hosting', 'existingVpc', 'availabilityZones'], message: `must be zones of ${c.region}` });
  });

const programSchema = z.object({
  defaultCohort: z.string().min(1).nullable().default(null),
  cohorts: z
    .array(
      z.object({
        cohort: z.string().regex(/^[\w+=,.@:/ -]{1,256}$/, 'must be a tag value'),
        deadline: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-09-30T00:00:00Z' }).transform((d) => new Date(d)),
      }),
    )
    .default([]),
});

export type StackSetConfig = z.output<typeof stackSetSchema>;
export type OrganizationsConfig = z.output<typeof organizationsSchema>;
export type { HostingConfig } from './hosting-config';
export type Program = z.output<typeof programSchema>;
export type InfraConfig = Omit<z.output<typeof configSchema>, 'portalTrustSourceAccount' | 'events'> & {
  portalTrustSourceAccount: boolean;
  events: boolean;
  program: Program;
};

export class InfraConfigError extends Error {
  constructor(source: string, issues: readonly z.core.$ZodIssue[]) {
    super(`${source}:\n${issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'InfraConfigError';
  }
}

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../config.example.json', import.meta.url));

/** Context values are strings on the command line: "a,b" is a list, "true"/"false" a boolean. */
function fromContext(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (['managedAccountIds', 'adminGroups', 'securityGroups', 'enforcedGroups'].includes(key)) return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (key === 'events') return value === 'true' ? true : value === 'false' ? false : value;
  if (key === 'portalTrustSourceAccount') return value === 'true' ? true : value === 'false' ? false : value;
  if (key === 'stackSet' || key === 'organizations' || key === 'hosting') return JSON.parse(value) as unknown;
  return value;
}

export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof z.input<typeof configSchema>)[];

/** Parses a config object (already read); the program file is read relative to `baseDir`. */
export function parseConfig(raw: unknown, options: { source?: string; baseDir?: string; overrides?: Record<string, unknown> } = {}): InfraConfig {
  const source = options.source ?? 'infra config';
  const merged: Record<string, unknown> = { ...(raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}) };
  for (const key of CONFIG_KEYS) {
    const v = options.overrides?.[key];
    if (v !== undefined) merged[key] = fromContext(key, v);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new InfraConfigError(source, parsed.error.issues);
  const c = parsed.data;

  const programPath = resolve(options.baseDir ?? process.cwd(), c.programFile);
  const program = programSchema.safeParse(readJson(programPath));
  if (!program.success) throw new InfraConfigError(programPath, program.error.issues);
  const cohorts = program.data.cohorts.map((x) => x.cohort);
  if (new Set(cohorts).size !== cohorts.length) throw new InfraConfigError(programPath, [{ code: 'custom', path: ['cohorts'], message: 'a cohort is listed twice', input: cohorts }]);
  if (program.data.defaultCohort !== null && !cohorts.includes(program.data.defaultCohort))
    throw new InfraConfigError(programPath, [{ code: 'custom', path: ['defaultCohort'], message: `${program.data.defaultCohort} is not one of the cohorts`, input: program.data.defaultCohort }]);
  // The stack creates the enforced groups, so the set has a group's every managed policy to itself.
  const set = buildPolicySet({ cohorts: program.data.cohorts, defaultCohort: program.data.defaultCohort, portalRoleName: c.deployRoleName }, c.enforcementPolicyName);
  if (!set.ok) throw new InfraConfigError(programPath, [{ code: 'custom', path: ['cohorts'], message: set.message, input: cohorts.length }]);

  // The image's build context is relative to the config file, like the program file.
  const image = c.hosting?.image;
  const hosting = c.hosting && image && 'directory' in image ? { ...c.hosting, image: { ...image, directory: resolve(options.baseDir ?? process.cwd(), image.directory) } } : c.hosting;
  return {
    ...c,
    hosting,
    portalTrustSourceAccount: c.portalTrustSourceAccount ?? c.portalServicePrincipal === 'ecs-tasks.amazonaws.com',
    events: c.events ?? (Boolean(c.eventsOrganizationId) || c.managedAccountIds.length > 0),
    program: program.data,
  };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads and validates a config file; context overrides win over the file's keys. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE, overrides: Record<string, unknown> = {}): InfraConfig {
  const path = resolve(file);
  return parseConfig(readJson(path), { source: path, baseDir: dirname(path), overrides });
}

/** The enforcement generator's input: the member role is the principal the portal changes tags through. */
export function enforcementInput(config: InfraConfig): EnforcementInput {
  return { cohorts: config.program.cohorts, defaultCohort: config.program.defaultCohort, portalRoleName: config.deployRoleName };
}
