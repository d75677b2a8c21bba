import { describe, expect, it } from 'vitest';
import { ConfigError, isAllowedWebhookUrl, parseEnv } from './env';

const valid = {
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  MFA_ACCOUNTS: '111111111111:Production, 222222222222',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
  MFA_ROLE_GROUPS_ACCOUNTS: '111111111111',
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('log level: info by default, empty meaning unset, one of the pino levels', () => {
    expect(parseEnv(valid).MFA_LOG_LEVEL).toBe('info');
    expect(parseEnv({ ...valid, MFA_LOG_LEVEL: '' }).MFA_LOG_LEVEL).toBe('info');
    expect(parseEnv({ ...valid, MFA_LOG_LEVEL: 'debug' }).MFA_LOG_LEVEL).toBe('debug');
    expect(problems({ ...valid, MFA_LOG_LEVEL: 'verbose' })[0]).toMatch(/^MFA_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal/);
  });

  it('inventory page size: 1000 (IAM\'s largest MaxItems) by default, 100 to 1000 whole items', () => {
    expect(parseEnv(valid).MFA_INVENTORY_PAGE_SIZE).toBe(1000);
    expect(parseEnv({ ...valid, MFA_INVENTORY_PAGE_SIZE: '250' }).MFA_INVENTORY_PAGE_SIZE).toBe(250);
    expect(problems({ ...valid, MFA_INVENTORY_PAGE_SIZE: '99' })[0]).toMatch(/^MFA_INVENTORY_PAGE_SIZE must be at least 100/);
    expect(problems({ ...valid, MFA_INVENTORY_PAGE_SIZE: '1001' })[0]).toMatch(/^MFA_INVENTORY_PAGE_SIZE must be at most 1000/);
    expect(problems({ ...valid, MFA_INVENTORY_PAGE_SIZE: '250.5' })[0]).toMatch(/^MFA_INVENTORY_PAGE_SIZE must be a whole number/);
    expect(problems({ ...valid, MFA_INVENTORY_PAGE_SIZE: 'many' })[0]).toMatch(/^MFA_INVENTORY_PAGE_SIZE must be a whole number/);
  });

  it('flag settings: stale window (default 90) and the service-user markers, checked', () => {
    const env = parseEnv(valid);
    expect([env.MFA_STALE_CONSOLE_DAYS, env.MFA_SERVICE_USER_TAGS, env.MFA_SERVICE_USER_PATHS, env.MFA_SERVICE_USER_GROUPS]).toEqual([90, [], [], []]);
    const set = parseEnv({ ...valid, MFA_STALE_CONSOLE_DAYS: '45', MFA_SERVICE_USER_TAGS: 'kind=service, automation', MFA_SERVICE_USER_PATHS: '/service/', MFA_SERVICE_USER_GROUPS: 'robots,ci' });
    expect([set.MFA_STALE_CONSOLE_DAYS, set.MFA_SERVICE_USER_TAGS, set.MFA_SERVICE_USER_PATHS, set.MFA_SERVICE_USER_GROUPS]).toEqual([45, ['kind=service', 'automation'], ['/service/'], ['robots', 'ci']]);
    expect(problems({ ...valid, MFA_STALE_CONSOLE_DAYS: '0' })[0]).toMatch(/^MFA_STALE_CONSOLE_DAYS must be at least 1 day/);
    expect(problems({ ...valid, MFA_SERVICE_USER_PATHS: 'service' })[0]).toMatch(/^MFA_SERVICE_USER_PATHS\.0 must be IAM path prefixes/);
    expect(problems({ ...valid, MFA_SERVICE_USER_TAGS: 'kind=<script>' })[0]).toMatch(/^MFA_SERVICE_USER_TAGS\.0 must be tag keys or key=value/);
    expect(problems({ ...valid, MFA_SERVICE_USER_GROUPS: 'bad group!' })[0]).toMatch(/^MFA_SERVICE_USER_GROUPS\.0 must be IAM group names/);
  });

  it('enforcement and role-group accounts: defaults, and only managed accounts grant roles', () => {
    const env = parseEnv({ ...valid, MFA_ACCOUNTS: '111111111111', MFA_ROLE_GROUPS_ACCOUNTS: undefined });
    expect([env.MFA_ENFORCEMENT_POLICY_NAME, env.MFA_ENFORCEMENT_POLICY_PATH, env.MFA_ENFORCEMENT_GROUPS, env.MFA_ROLE_GROUPS_ACCOUNTS]).toEqual(['MfaPortalEnforcement', '/', ['mfa-enforced'], []]);
    expect(parseEnv(valid).MFA_ROLE_GROUPS_ACCOUNTS).toEqual(['111111111111']);
    expect(problems({ ...valid, MFA_ROLE_GROUPS_ACCOUNTS: '333333333333' })).toEqual(['MFA_ROLE_GROUPS_ACCOUNTS lists 333333333333, which is not in MFA_ACCOUNTS']);
    expect(problems({ ...valid, MFA_ENFORCEMENT_POLICY_PATH: 'mfa' })[0]).toMatch(/^MFA_ENFORCEMENT_POLICY_PATH must be an IAM path/);
    expect(problems({ ...valid, MFA_ENFORCEMENT_GROUPS: 'bad group!' })[0]).toMatch(/^MFA_ENFORCEMENT_GROUPS/);
  });

  it('with more than one managed account, refuses to start unless the accounts whose IAM groups grant roles are named', () => {
    const twoAccounts = { ...valid, MFA_ROLE_GROUPS_ACCOUNTS: undefined };
    const refused = problems(twoAccounts);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^MFA_ROLE_GROUPS_ACCOUNTS is required with more than one managed account: otherwise anyone who can edit IAM groups in any of them could make themselves a portal admin/);
    expect(refused[0]).toMatch(/MFA_ADMIN_GROUPS= and MFA_SECURITY_GROUPS= empty to take roles only from the IdP groups claim/);
    expect(problems({ ...twoAccounts, MFA_ROLE_GROUPS_ACCOUNTS: ' ' })[0]).toMatch(/^MFA_ROLE_GROUPS_ACCOUNTS is required/);
    // One IAM group name still set is still a role source.
    expect(problems({ ...twoAccounts, MFA_ADMIN_GROUPS: '' })[0]).toMatch(/^MFA_ROLE_GROUPS_ACCOUNTS is required/);
    expect(parseEnv({ ...twoAccounts, MFA_ROLE_GROUPS_ACCOUNTS: '222222222222' }).MFA_ROLE_GROUPS_ACCOUNTS).toEqual(['222222222222']);
    // The IdP's groups claim as the only role source: no IAM group grants a role, so no account needs naming.
    const claimOnly = parseEnv({ ...twoAccounts, MFA_ADMIN_GROUPS: '', MFA_SECURITY_GROUPS: '', OIDC_ADMIN_GROUPS: 'portal-admins' });
    expect([claimOnly.MFA_ADMIN_GROUPS, claimOnly.MFA_SECURITY_GROUPS, claimOnly.MFA_ROLE_GROUPS_ACCOUNTS]).toEqual([[], [], []]);
    // A single managed account has no other account whose groups could be edited.
    expect(parseEnv({ ...twoAccounts, MFA_ACCOUNTS: '111111111111' }).MFA_ROLE_GROUPS_ACCOUNTS).toEqual([]);
  });

  it('account source: static by default; organizations needs its read role and its external id, no MFA_ACCOUNTS, and named role-group accounts', () => {
    expect(parseEnv(valid).MFA_ACCOUNT_SOURCE).toBe('static');
    const org = { ...valid, MFA_ACCOUNTS: undefined, MFA_ACCOUNT_SOURCE: 'organizations', MFA_ORGANIZATIONS_ROLE_ARN: 'arn:aws:iam::999999999999:role/MfaPortalOrganizationsRead', MFA_ORGANIZATIONS_EXTERNAL_ID: 'org-read-external-id' };
    const env = parseEnv({ ...org, MFA_ORGANIZATIONS_INCLUDE_OUS: 'ou-ab12-cdefgh34, r-ab12', MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS: '444444444444' });
    expect([env.MFA_ACCOUNTS, env.MFA_ORGANIZATIONS_INCLUDE_OUS, env.MFA_ORGANIZATIONS_EXCLUDE_OUS, env.MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS]).toEqual([[], ['ou-ab12-cdefgh34', 'r-ab12'], [], ['444444444444']]);
    expect(problems({ ...org, MFA_ORGANIZATIONS_ROLE_ARN: undefined })).toEqual([expect.stringMatching(/^MFA_ORGANIZATIONS_ROLE_ARN is required with MFA_ACCOUNT_SOURCE=organizations/)]);
    expect(problems({ ...org, MFA_ORGANIZATIONS_EXTERNAL_ID: undefined })).toEqual([expect.stringMatching(/^MFA_ORGANIZATIONS_EXTERNAL_ID is required with MFA_ACCOUNT_SOURCE=organizations/)]);
    expect(problems({ ...org, MFA_ORGANIZATIONS_ROLE_ARN: 'MfaPortalOrganizationsRead' })[0]).toMatch(/^MFA_ORGANIZATIONS_ROLE_ARN must be an IAM role ARN/);
    expect(problems({ ...org, MFA_ORGANIZATIONS_INCLUDE_OUS: 'Production' })[0]).toMatch(/^MFA_ORGANIZATIONS_INCLUDE_OUS\.0 must be organizational unit ids/);
    expect(problems({ ...org, MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS: '1234' })[0]).toMatch(/^MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS\.0 must be 12-digit account ids/);
    expect(problems({ ...org, MFA_ACCOUNTS: '111111111111' })[0]).toMatch(/^MFA_ACCOUNTS must be empty with MFA_ACCOUNT_SOURCE=organizations/);
    expect(problems({ ...org, MFA_ACCOUNT_SOURCE: 'ldap' })[0]).toMatch(/^MFA_ACCOUNT_SOURCE must be static or organizations/);
    // The organisation can grow at any run: the role-group accounts are required even before a second account exists.
    expect(problems({ ...org, MFA_ROLE_GROUPS_ACCOUNTS: undefined })[0]).toMatch(/^MFA_ROLE_GROUPS_ACCOUNTS is required with more than one managed account[\s\S]*always required/);
    // Not cross-checked against a list that exists only at run time.
    expect(parseEnv({ ...org, MFA_ROLE_GROUPS_ACCOUNTS: '333333333333' }).MFA_ROLE_GROUPS_ACCOUNTS).toEqual(['333333333333']);
    expect(problems({ ...valid, MFA_ACCOUNTS: ' ' })).toEqual([expect.stringMatching(/^MFA_ACCOUNTS is required: a comma-separated list/), expect.stringMatching(/^MFA_ROLE_GROUPS_ACCOUNTS lists 111111111111/)]);
  });

  it('deploy role: its own name (default MfaPortalDeploy) and an optional external id, empty meaning unset', () => {
    const env = parseEnv(valid);
    expect([env.MFA_DEPLOY_ROLE_NAME, env.MFA_DEPLOY_ROLE_EXTERNAL_ID]).toEqual(['MfaPortalDeploy', undefined]);
    expect(parseEnv({ ...valid, MFA_DEPLOY_ROLE_EXTERNAL_ID: '' }).MFA_DEPLOY_ROLE_EXTERNAL_ID).toBeUndefined();
    const set = parseEnv({ ...valid, MFA_DEPLOY_ROLE_NAME: 'Deployer', MFA_DEPLOY_ROLE_EXTERNAL_ID: 'deploy-ext-1' });
    expect([set.MFA_DEPLOY_ROLE_NAME, set.MFA_DEPLOY_ROLE_EXTERNAL_ID]).toEqual(['Deployer', 'deploy-ext-1']);
    expect(problems({ ...valid, MFA_DEPLOY_ROLE_NAME: 'no/slash' })[0]).toMatch(/^MFA_DEPLOY_ROLE_NAME must be an IAM role name/);
    expect(problems({ ...valid, MFA_DEPLOY_ROLE_EXTERNAL_ID: 'has spaces' })[0]).toMatch(/^MFA_DEPLOY_ROLE_EXTERNAL_ID must be 2-1224 characters/);
  });

  it('parses a minimal configuration with defaults', () => {
    const env = parseEnv(valid);
    expect(env.MFA_ACCOUNTS).toEqual([
      { id: '111111111111', label: 'Production' },
      { id: '222222222222', label: '222222222222' },
    ]);
    expect(env.MFA_MEMBER_ROLE_NAME).toBe('MfaPortalMember');
    expect(env.MFA_EMAIL_TAG_KEY).toBe('email');
    expect(env.MFA_OWNER_TAG_KEY).toBe('Owner');
    expect(parseEnv({ ...valid, MFA_OWNER_TAG_KEY: 'team-owner' }).MFA_OWNER_TAG_KEY).toBe('team-owner');
    expect(env.MFA_ADMIN_GROUPS).toEqual(['mfa-portal-admins']);
    expect(env.OIDC_ADMIN_GROUPS).toEqual([]);
    expect(env.DATABASE_URL).toBe('pglite:.data/pglite');
    expect(env.MFA_AWS_KEYS_SIGNIN).toBe(true);
  });

  it('names each missing setting and says what is expected', () => {
    const p = problems({});
    expect(p.some((m) => m.startsWith('NEXTAUTH_URL is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('NEXTAUTH_SECRET is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('MFA_ACCOUNTS is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('MFA_MEMBER_ROLE_EXTERNAL_ID is required'))).toBe(true);
  });

  it('rejects malformed values with the setting name', () => {
    const p = problems({ ...valid, NEXTAUTH_URL: 'not a url', NEXTAUTH_SECRET: 'short', MFA_ACCOUNTS: '12345,111111111111,111111111111', DATABASE_URL: 'mysql://x' });
    expect(p).toContainEqual(expect.stringMatching(/^NEXTAUTH_URL must be a URL/));
    expect(p).toContainEqual(expect.stringMatching(/^NEXTAUTH_SECRET must be at least 32/));
    expect(p).toContainEqual(expect.stringMatching(/^MFA_ACCOUNTS "12345" is not a 12-digit account id/));
    expect(p).toContainEqual(expect.stringMatching(/^MFA_ACCOUNTS account 111111111111 is listed twice/));
    expect(p).toContainEqual(expect.stringMatching(/^DATABASE_URL must be postgres/));
  });

  it('requires the OIDC settings together', () => {
    const p = problems({ ...valid, OIDC_ISSUER: 'http://127.0.0.1:4000' });
    expect(p).toEqual(['OIDC_CLIENT_ID is required when any OIDC_* setting is given', 'OIDC_CLIENT_SECRET is required when any OIDC_* setting is given']);
  });

  it('sessions: 8 h absolute, 1 h idle, roles re-derived every 5 minutes; a longer refresh interval is refused', () => {
    const env = parseEnv(valid);
    expect([env.MFA_SESSION_MAX_HOURS, env.MFA_SESSION_IDLE_MINUTES, env.MFA_SESSION_ROLES_REFRESH_MINUTES]).toEqual([8, 60, 5]);
    expect(parseEnv({ ...valid, MFA_SESSION_ROLES_REFRESH_MINUTES: '2' }).MFA_SESSION_ROLES_REFRESH_MINUTES).toBe(2);
    expect(problems({ ...valid, MFA_SESSION_ROLES_REFRESH_MINUTES: '30' })).toEqual([expect.stringMatching(/^MFA_SESSION_ROLES_REFRESH_MINUTES must be at most 5 minutes/)]);
    expect(problems({ ...valid, MFA_SESSION_MAX_HOURS: '0' })).toEqual([expect.stringMatching(/^MFA_SESSION_MAX_HOURS must be at least 1 hour/)]);
  });

  it('refuses a configuration with no sign-in method', () => {
    expect(problems({ ...valid, MFA_AWS_KEYS_SIGNIN: 'false' })).toEqual([expect.stringMatching(/no sign-in method/)]);
  });

  it('leaves reminders off unless a sender or a webhook is configured', () => {
    const env = parseEnv(valid);
    expect(env.MFA_REMINDER_EMAIL_FROM).toBeUndefined();
    expect(env.MFA_REMINDER_WEBHOOK_URL).toBeUndefined();
    expect(env.MFA_REMINDER_INTERVAL_MINUTES).toBe(0);
    const on = parseEnv({ ...valid, MFA_REMINDER_EMAIL_FROM: 'mfa-portal@example.com', MFA_REMINDER_WEBHOOK_URL: 'https://hooks.example.com/T1/B2', MFA_REMINDER_INTERVAL_MINUTES: '60' });
    expect([on.MFA_REMINDER_EMAIL_FROM, on.MFA_REMINDER_WEBHOOK_URL, on.MFA_REMINDER_INTERVAL_MINUTES]).toEqual(['mfa-portal@example.com', 'https://hooks.example.com/T1/B2', 60]);
    const blank = parseEnv({ ...valid, MFA_REMINDER_EMAIL_FROM: '', MFA_REMINDER_WEBHOOK_URL: ' ' });
    expect([blank.MFA_REMINDER_EMAIL_FROM, blank.MFA_REMINDER_WEBHOOK_URL]).toEqual([undefined, undefined]);
  });

  it('rejects a malformed sender, a plain-http webhook off this machine and a bad interval', () => {
    const p = problems({ ...valid, MFA_REMINDER_EMAIL_FROM: 'not-an-address', MFA_REMINDER_WEBHOOK_URL: 'http://hooks.example.com/x', MFA_REMINDER_INTERVAL_MINUTES: '-5' });
    expect(p).toContainEqual(expect.stringMatching(/^MFA_REMINDER_EMAIL_FROM must be an email address/));
    expect(p).toContainEqual(expect.stringMatching(/^MFA_REMINDER_WEBHOOK_URL must be https:\/\//));
    expect(p).toContainEqual(expect.stringMatching(/^MFA_REMINDER_INTERVAL_MINUTES must be 0 \(off\) or more/));
  });

  it('allows webhooks over https anywhere and over http only on loopback', () => {
    expect(isAllowedWebhookUrl('https://hooks.slack.com/services/T/B/x')).toBe(true);
    expect(isAllowedWebhookUrl('http://127.0.0.1:8080/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://[::1]:8080/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://localhost/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://10.0.0.5/hook')).toBe(false);
    expect(isAllowedWebhookUrl('http://127.0.0.1.example.com/hook')).toBe(false);
    expect(isAllowedWebhookUrl('ftp://127.0.0.1/hook')).toBe(false);
    expect(isAllowedWebhookUrl('not a url')).toBe(false);
  });

  it('splits group lists and accepts a postgres URL', () => {
    const env = parseEnv({ ...valid, OIDC_ADMIN_GROUPS: 'a, b,,c', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' });
    expect(env.OIDC_ADMIN_GROUPS).toEqual(['a', 'b', 'c']);
    expect(env.DATABASE_URL).toBe('postgres://u:p@127.0.0.1:5432/db');
  });
});
