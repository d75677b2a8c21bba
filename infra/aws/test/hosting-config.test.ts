import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../lib/config';
import { portalEnvironment } from '../lib/hosting-environment';
import { exampleConfig, minimalConfig } from './support';
import { CERTIFICATE, hostingConfig } from './hosting-support';

const problems = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('the config was accepted');
};

describe('hosting config', () => {
  it('is absent unless configured, and fills in its defaults', () => {
    expect(minimalConfig().hosting).toBeUndefined();
    const h = hostingConfig().hosting!;
    expect(h).toMatchObject({
      desiredCount: 2,
      logRetentionDays: 365,
      cpu: 512,
      memoryMiB: 1024,
      database: { engineVersion: '17', multiAz: true, backupRetentionDays: 14, tls: 'no-verify' },
      schedules: { sweepLeftovers: 'rate(1 hour)', inventory: 'rate(6 hours)', reminders: 'rate(1 hour)', windows: 'rate(1 hour)', campaignDigest: 'cron(0 7 ? * MON *)' },
      alarmEmails: [],
      environment: {},
    });
  });

  it('reads the example’s hosting section', () => {
    expect(exampleConfig().hosting).toMatchObject({ portalUrl: 'https://mfa.example.com', oidc: { clientId: 'mfa-portal' }, alarmEmails: ['platform-alerts@example.com'] });
  });

  it('builds the repository root’s Dockerfile by default, relative to the config file', () => {
    const h = parseConfig(
      {
        hostingAccountId: '123456789012',
        memberRoleExternalId: 'external-id-a',
        deployRoleExternalId: 'external-id-b',
        managedAccountIds: ['123456789012'],
        hosting: { portalUrl: 'https://p.example.org', certificateArn: CERTIFICATE },
      },
      { baseDir: join(process.cwd(), 'infra/aws') },
    ).hosting!;
    expect(h.image).toEqual({ directory: process.cwd(), file: 'Dockerfile' });
  });

  it('names every problem of the section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-hosting-config-'));
    expect(
      problems(() =>
        parseConfig(
          {
            hostingAccountId: '123456789012',
            memberRoleExternalId: 'external-id-a',
            deployRoleExternalId: 'external-id-b',
            portalServicePrincipal: 'tasks.apprunner.amazonaws.com',
            managedAccountIds: ['123456789012'],
            hosting: {
              portalUrl: 'http://mfa.example.org',
              certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
              desiredCount: 1,
              logRetentionDays: 100,
              database: { backupRetentionDays: 0 },
              environment: { NEXTAUTH_SECRET: 'x', MY_API_TOKEN: 'y', MFA_EMAIL_TAG_KEY: 'email' },
              secretEnvironment: { MFA_CRON_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf' },
            },
          },
          { baseDir: dir },
        ),
      ),
    ).toEqual([
      'hosting.portalUrl: must be the https URL people open, e.g. https://mfa.example.com',
      'hosting.desiredCount: must be at least 2 (one task per zone survives a zone or a deployment)',
      "hosting.logRetentionDays: must be one of CloudWatch Logs' periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      'hosting.database.backupRetentionDays: must be 1-35 days (automated backups stay on)',
      'hosting.environment.NEXTAUTH_SECRET: is a secret: give it in secretEnvironment as a Secrets Manager ARN, never in plain text',
      'hosting.environment.MY_API_TOKEN: is a secret: give it in secretEnvironment as a Secrets Manager ARN, never in plain text',
      'hosting.secretEnvironment.MFA_CRON_SECRET: is created by the hosting stack',
      'portalServicePrincipal: must be ecs-tasks.amazonaws.com with hosting (the portal runs as an ECS task)',
      "hosting.certificateArn: must be a certificate in us-east-1, the load balancer's region",
    ]);
  });

  it('requires ECS tasks as the portal role’s principal and a certificate in the stack’s region', () => {
    expect(
      problems(() => hostingConfig({ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, { portalServicePrincipal: 'tasks.apprunner.amazonaws.com' })),
    ).toEqual([
      'portalServicePrincipal: must be ecs-tasks.amazonaws.com with hosting (the portal runs as an ECS task)',
      "hosting.certificateArn: must be a certificate in us-east-1, the load balancer's region",
    ]);
  });

  it('needs the managed accounts from somewhere', () => {
    expect(problems(() => hostingConfig({}, { managedAccountIds: [] }))).toEqual([
      'hosting: needs the managed accounts: managedAccountIds, an organizations section or hosting.environment.MFA_ACCOUNTS',
    ]);
    expect(hostingConfig({ environment: { MFA_ACCOUNTS: '123456789012:Production' } }, { managedAccountIds: [] }).hosting?.environment.MFA_ACCOUNTS).toBe('123456789012:Production');
  });

  it('takes the section from CDK context as JSON', () => {
    const c = loadConfig(undefined, { hosting: JSON.stringify({ portalUrl: 'https://ctx.example.org', certificateArn: CERTIFICATE.replace('123456789012', '111111111111') }) });
    expect(c.hosting?.portalUrl).toBe('https://ctx.example.org');
  });
});

describe('the portal’s settings from the infra config', () => {
  const database = { host: 'db.internal', port: '5432', user: 'mfa_portal', name: 'mfa_portal' };

  it('match the roles, groups and policy the other stacks create, with a password-less DATABASE_URL', () => {
    const c = hostingConfig({}, { managedAccountIds: ['123456789012', '210987654321'], portalGroupsAccountId: '123456789012' });
    expect(portalEnvironment({ ...c, hosting: c.hosting! }, database)).toEqual({
      NODE_ENV: 'production',
      NEXTAUTH_URL: 'https://mfa.example.org',
      AWS_REGION: 'us-east-1',
      DATABASE_URL: 'postgres://mfa_portal@db.internal:5432/mfa_portal?sslmode=no-verify',
      MFA_MEMBER_ROLE_NAME: 'MfaPortalMember',
      MFA_MEMBER_ROLE_EXTERNAL_ID: 'external-id-for-tests',
      MFA_DEPLOY_ROLE_NAME: 'MfaPortalDeploy',
      MFA_DEPLOY_ROLE_EXTERNAL_ID: 'deploy-external-id-for-tests',
      MFA_ADMIN_GROUPS: 'mfa-portal-admins',
      MFA_SECURITY_GROUPS: 'mfa-portal-security',
      MFA_ENFORCEMENT_POLICY_NAME: 'MfaPortalEnforcement',
      MFA_ENFORCEMENT_POLICY_PATH: '/',
      MFA_ENFORCEMENT_GROUPS: 'mfa-enforced',
      MFA_TRUSTED_PROXY_HEADER: 'x-forwarded-for',
      MFA_INVENTORY_REFRESH_MINUTES: '0',
      MFA_REMINDER_INTERVAL_MINUTES: '0',
      MFA_ACCOUNT_SOURCE: 'static',
      MFA_ACCOUNTS: '123456789012,210987654321',
      MFA_ROLE_GROUPS_ACCOUNTS: '123456789012',
      MFA_EVENTS_QUEUE_URL: expect.stringContaining('/123456789012/mfa-portal-iam-events'),
      MFA_EVENTS_MODE: 'poll',
    });
  });

  it('let hosting.environment add and override plain settings', () => {
    const c = hostingConfig({ environment: { MFA_ACCOUNTS: '123456789012:Production', LOG_LEVEL: 'debug' }, database: { tls: 'verify-full' } });
    const env = portalEnvironment({ ...c, hosting: c.hosting! }, database);
    expect(env).toMatchObject({ MFA_ACCOUNTS: '123456789012:Production', LOG_LEVEL: 'debug', DATABASE_URL: expect.stringMatching(/sslmode=verify-full$/) });
  });
});
