import { Aws } from 'aws-cdk-lib';
import { EVENTS_QUEUE_NAME } from '../../../lib/events/names';
import type { HostingConfig, InfraConfig } from './config';
import { EVENTS_REGION } from './events';

/**
 * The portal's plain (non-secret) settings, derived from the infra config so that the roles, groups and policy the
 * other stacks create are the ones the portal uses; `hosting.environment` adds to them and wins. Secrets never come
 * through here (hosting-config.ts refuses them): they are ECS secrets (hosting-stack.ts).
 *
 * The database: DATABASE_URL carries host, port, user and database but no password; node-postgres takes the password
 * from PGPASSWORD when the URL has none, and PGPASSWORD is an ECS secret from the database's generated secret.
 */
export function portalEnvironment(config: InfraConfig & { hosting: HostingConfig }, database: { host: string; port: string; user: string; name: string }): Record<string, string> {
  const h = config.hosting;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    NEXTAUTH_URL: h.portalUrl.replace(/\/+$/, ''),
    AWS_REGION: config.region,
    DATABASE_URL: `postgres://${database.user}@${database.host}:${database.port}/${database.name}?sslmode=${h.database.tls}`,
    MFA_MEMBER_ROLE_NAME: config.memberRoleName,
    MFA_MEMBER_ROLE_EXTERNAL_ID: config.memberRoleExternalId,
    MFA_DEPLOY_ROLE_NAME: config.deployRoleName,
    MFA_DEPLOY_ROLE_EXTERNAL_ID: config.deployRoleExternalId,
    MFA_ADMIN_GROUPS: config.adminGroups.join(','),
    MFA_SECURITY_GROUPS: config.securityGroups.join(','),
    MFA_ENFORCEMENT_POLICY_NAME: config.enforcementPolicyName,
    MFA_ENFORCEMENT_POLICY_PATH: config.enforcementPolicyPath,
    MFA_ENFORCEMENT_GROUPS: config.enforcedGroups.join(','),
    // The load balancer appends the client's address to X-Forwarded-For, and only it can reach the tasks.
    MFA_TRUSTED_PROXY_HEADER: 'x-forwarded-for',
    // EventBridge Scheduler calls the scheduled routes; in-process timers only for the jobs it does not call.
    MFA_INVENTORY_REFRESH_MINUTES: h.schedules.inventory === null ? '360' : '0',
    MFA_REMINDER_INTERVAL_MINUTES: h.schedules.reminders === null ? '60' : '0',
  };
  if (config.organizations) {
    env.MFA_ACCOUNT_SOURCE = 'organizations';
    env.MFA_ORGANIZATIONS_ROLE_ARN = `arn:${Aws.PARTITION}:iam::${config.organizations.accountId}:role/${config.organizations.readRoleName}`;
    env.MFA_ORGANIZATIONS_EXTERNAL_ID = config.organizations.externalId;
    env.MFA_ACCOUNTS = '';
  } else {
    env.MFA_ACCOUNT_SOURCE = 'static';
    env.MFA_ACCOUNTS = config.managedAccountIds.join(',');
  }
  if (config.portalGroupsAccountId) env.MFA_ROLE_GROUPS_ACCOUNTS = config.portalGroupsAccountId;
  if (config.reminderEmailFrom) env.MFA_REMINDER_EMAIL_FROM = config.reminderEmailFrom;
  if (config.events) {
    env.MFA_EVENTS_QUEUE_URL = `https://sqs.${EVENTS_REGION}.${Aws.URL_SUFFIX}/${config.hostingAccountId}/${EVENTS_QUEUE_NAME}`;
    env.MFA_EVENTS_MODE = 'poll';
  }
  if (h.oidc) {
    env.OIDC_ISSUER = h.oidc.issuer;
    env.OIDC_CLIENT_ID = h.oidc.clientId;
    if (h.oidc.displayName) env.OIDC_DISPLAY_NAME = h.oidc.displayName;
  }
  return { ...env, ...h.environment };
}
