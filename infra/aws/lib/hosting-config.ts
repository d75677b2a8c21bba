import { z } from 'zod';

/**
 * The `hosting` section of the infra config: where and how the portal itself runs (ECS Fargate behind an ALB, RDS
 * PostgreSQL, Secrets Manager, scheduled cron calls, alarms). Absent: no hosting stack (run the portal elsewhere).
 */

/** The portal task's memory unless `memoryMiB` says otherwise (what the benchmarks model the process on). */
export const DEFAULT_TASK_MEMORY_MIB = 1024;

/** Settings the hosting stack injects as ECS secrets: `environment` may not set them in plain text. */
export const SECRET_SETTINGS = [
  'NEXTAUTH_SECRET',
  'MFA_PREVIOUS_SECRET',
  'OIDC_CLIENT_SECRET',
  'MFA_CRON_SECRET',
  'MFA_METRICS_TOKEN',
  'MFA_REMINDER_WEBHOOK_URL',
  'DATABASE_URL',
  'PGPASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;

/** CloudWatch Logs' allowed retention periods, in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-…)');
const secretArn = z.string().regex(/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, 'must be a Secrets Manager secret ARN');
/** EventBridge Scheduler expressions (in UTC); null turns a job's schedule off. */
const schedule = z
  .string()
  .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/, 'must be rate(N unit) or cron(…), or null for none')
  .nullable();

const existingVpcSchema = z.object({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)'),
  availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an availability zone, e.g. us-east-1a')).min(2, 'needs at least two availability zones'),
  /** For the load balancer, one per zone. */
  publicSubnetIds: z.array(subnetId).min(2, 'needs a public subnet in each of at least two zones'),
  /** With a route to the internet (NAT): the tasks pull the image and call AWS, and the database lives here. */
  privateSubnetIds: z.array(subnetId).min(2, 'needs a private subnet in each of at least two zones'),
});

const imageSchema = z.union([
  z.object({ uri: z.string().regex(/^[\w.-]+(:\d+)?\/[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, 'must be an image URI with a tag or digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/mfa-portal:1.0.0') }).strict(),
  z
    .object({
      /** The build context, relative to the config file (the repository root: `../..`). Built and pushed by `cdk deploy`, never at synth. */
      directory: z.string().min(1),
      file: z.string().min(1).default('Dockerfile'),
    })
    .strict(),
]);

const databaseSchema = z.object({
  engineVersion: z.enum(['16', '17', '18']).default('17'),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class, e.g. db.t4g.small').default('db.t4g.small'),
  allocatedStorageGiB: z.number().int().min(20).max(65536).default(20),
  /** Storage autoscaling ceiling. */
  maxAllocatedStorageGiB: z.number().int().min(20).max(65536).default(100),
  multiAz: z.boolean().default(true),
  backupRetentionDays: z.number().int().min(1, 'must be 1-35 days (automated backups stay on)').max(35, 'must be 1-35 days').default(14),
  /**
   * How the portal checks the server's certificate (the server refuses plain connections either way, rds.force_ssl):
   * no-verify encrypts without checking the RDS CA, which Node does not trust by itself; verify-full needs the RDS CA
   * bundle in the image and NODE_EXTRA_CA_CERTS pointing at it (`environment`).
   */
  tls: z.enum(['no-verify', 'verify-full']).default('no-verify'),
  /** Alarm when more connections than this are open (each portal task's pool holds up to 10). */
  connectionsAlarmThreshold: z.number().int().min(1).default(80),
});

export const hostingSchema = z
  .object({
    /** NEXTAUTH_URL: the portal's public https URL; point its DNS name at the load balancer (output LoadBalancerDnsName). */
    portalUrl: z.url({ protocol: /^https$/, error: 'must be the https URL people open, e.g. https://mfa.example.com' }),
    /** ACM certificate for the portal's name, in the stack's region. */
    certificateArn: z.string().regex(/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'must be an ACM certificate ARN'),
    /** Unset: a new VPC over two zones (public and private-with-egress subnets, one NAT gateway per zone). */
    existingVpc: existingVpcSchema.optional(),
    natGateways: z.number().int().min(1).max(2).default(2),
    /** Unset: build the repository root's Dockerfile at deploy time. */
    image: imageSchema.default({ directory: '../..', file: 'Dockerfile' }),
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(512),
    memoryMiB: z.number().int().min(512).max(30720).default(DEFAULT_TASK_MEMORY_MIB),
    desiredCount: z.number().int().min(2, 'must be at least 2 (one task per zone survives a zone or a deployment)').max(20).default(2),
    logRetentionDays: z
      .number()
      .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `must be one of CloudWatch Logs' periods: ${RETENTION_DAYS.join(', ')}`)
      .default(365),
    database: databaseSchema.default(databaseSchema.parse({})),
    /** The company IdP (OIDC_*). The client secret: an existing secret's ARN, or unset to create one to fill in. */
    oidc: z
      .object({
        issuer: z.url({ protocol: /^https$/, error: 'must be the https issuer URL' }),
        clientId: z.string().min(1),
        clientSecretArn: secretArn.optional(),
        displayName: z.string().min(1).optional(),
      })
      .optional(),
    /** EventBridge Scheduler calls of /api/cron/* (POST with the cron bearer token). null: off. */
    schedules: z
      .object({
        sweepLeftovers: schedule.default('rate(1 hour)'),
        inventory: schedule.default('rate(6 hours)'),
        reminders: schedule.default('rate(1 hour)'),
        /** Per-user windows (lib/windows): expiry tidy-up, drift repair, new-user windows. IAM enforces the dates itself. */
        windows: schedule.default('rate(1 hour)'),
        /** The security team's weekly digest: sent once per ISO week whenever it is called, so weekly is enough. */
        campaignDigest: schedule.default('cron(0 7 ? * MON *)'),
      })
      .default({ sweepLeftovers: 'rate(1 hour)', inventory: 'rate(6 hours)', reminders: 'rate(1 hour)', windows: 'rate(1 hour)', campaignDigest: 'cron(0 7 ? * MON *)' }),
    /** Addresses subscribed to the alarm topic (each confirms by email). */
    alarmEmails: z.array(z.email('must be an email address')).default([]),
    /** Further plain settings of the portal (.env.example), e.g. MFA_ACCOUNTS with labels, MFA_EMAIL_TAG_KEY. */
    environment: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'setting names are upper case'), z.string()).default({}),
    /** Further secret settings: name → Secrets Manager secret ARN (e.g. MFA_REMINDER_WEBHOOK_URL). */
    secretEnvironment: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'setting names are upper case'), secretArn).default({}),
  })
  .superRefine((h, ctx) => {
    for (const key of Object.keys(h.environment)) {
      if ((SECRET_SETTINGS as readonly string[]).includes(key) || /SECRET|TOKEN|PASSWORD/.test(key))
        ctx.addIssue({ code: 'custom', path: ['environment', key], message: 'is a secret: give it in secretEnvironment as a Secrets Manager ARN, never in plain text' });
    }
    for (const key of ['NEXTAUTH_SECRET', 'OIDC_CLIENT_SECRET', 'MFA_CRON_SECRET', 'MFA_METRICS_TOKEN', 'PGPASSWORD', 'DATABASE_URL']) {
      if (key in h.secretEnvironment) ctx.addIssue({ code: 'custom', path: ['secretEnvironment', key], message: 'is created by the hosting stack' });
    }
    if (h.database.maxAllocatedStorageGiB < h.database.allocatedStorageGiB)
      ctx.addIssue({ code: 'custom', path: ['database', 'maxAllocatedStorageGiB'], message: 'must be at least allocatedStorageGiB' });
    if (h.existingVpc && h.existingVpc.publicSubnetIds.length !== h.existingVpc.availabilityZones.length)
      ctx.addIssue({ code: 'custom', path: ['existingVpc', 'publicSubnetIds'], message: 'needs one subnet per availability zone, in the same order' });
    if (h.existingVpc && h.existingVpc.privateSubnetIds.length !== h.existingVpc.availabilityZones.length)
      ctx.addIssue({ code: 'custom', path: ['existingVpc', 'privateSubnetIds'], message: 'needs one subnet per availability zone, in the same order' });
  });

export type HostingConfig = z.output<typeof hostingSchema>;
