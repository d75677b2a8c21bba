import 'server-only';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isManagedAccount } from '@/lib/accounts/registry';
import { getEnv } from '@/lib/env';
import { roleArn } from '@/lib/iam-identifiers';
import { withCallMetrics } from './call-metrics';
import { AwsError, awsCall } from './errors';

/** Temporary or long-term credentials, in the SDK's shape. */
export type AwsCredentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
};

/** Refresh assumed-role credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/** The settings every SDK client shares; build each client with withCallMetrics (call-metrics.ts) so it is counted. */
export function baseClientConfig() {
  const env = getEnv();
  return {
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    // IAM and STS throttling limits cannot be raised: back off adaptively.
    retryMode: 'adaptive' as const,
    maxAttempts: 5,
  };
}

let portalSts: STSClient | undefined;

/** STS with the portal's own identity (the SDK's default credential provider chain). */
function portalStsClient(): STSClient {
  portalSts ??= withCallMetrics(new STSClient(baseClientConfig()));
  return portalSts;
}

/** Who the portal itself is (its own credentials, before any AssumeRole). */
export async function portalCallerIdentity(): Promise<{ accountId: string; arn: string }> {
  const out = await awsCall('sts:GetCallerIdentity', () => portalStsClient().send(new GetCallerIdentityCommand({})));
  return { accountId: out.Account ?? '', arn: out.Arn ?? '' };
}

/** STS for exactly the given credentials: used to check keys at sign-in, never cached. */
export function stsClientFor(credentials: AwsCredentials): STSClient {
  return withCallMetrics(new STSClient({ ...baseClientConfig(), maxAttempts: 2, credentials }));
}

type Cached = { credentials: AwsCredentials; expiresAt: number };
/**
 * The two roles the portal assumes in a managed account. `member` reads and enrolls, for every request; `deploy`
 * alone can write the enforcement policy and the mfa-* tags, and only security-team actions (deploy, rollback, tag
 * reconciliation) ask for it, so a bug anywhere else in the portal holds no credentials that could rewrite that
 * policy or exempt anyone from it.
 */
export type PortalRole = 'member' | 'deploy';
const assumed = new Map<string, Cached>();
const inFlight = new Map<string, Promise<AwsCredentials>>();

export function memberRoleArn(accountId: string): string {
  return roleArn(accountId, getEnv().MFA_MEMBER_ROLE_NAME);
}

export function deployRoleArn(accountId: string): string {
  return roleArn(accountId, getEnv().MFA_DEPLOY_ROLE_NAME);
}

function roleTarget(role: PortalRole, accountId: string): { arn: string; externalId: string; sessionName: string } {
  const env = getEnv();
  if (role === 'member') return { arn: memberRoleArn(accountId), externalId: env.MFA_MEMBER_ROLE_EXTERNAL_ID, sessionName: 'mfa-portal' };
  if (!env.MFA_DEPLOY_ROLE_EXTERNAL_ID) throw new AwsError('AccessDenied', 'sts:AssumeRole', 'DeployRoleNotConfigured');
  return { arn: deployRoleArn(accountId), externalId: env.MFA_DEPLOY_ROLE_EXTERNAL_ID, sessionName: 'mfa-portal-deploy' };
}

/** One AssumeRole with the portal's own identity (uncached: callers cache). */
export async function assumeRoleArn(target: { arn: string; externalId?: string; sessionName: string }): Promise<AwsCredentials> {
  const out = await awsCall('sts:AssumeRole', () =>
    portalStsClient().send(
      new AssumeRoleCommand({
        RoleArn: target.arn,
        RoleSessionName: target.sessionName,
        ExternalId: target.externalId,
        DurationSeconds: SESSION_SECONDS,
      }),
    ),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new AwsError('ServiceFailure', 'sts:AssumeRole', 'MissingCredentials');
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration ?? new Date(Date.now() + SESSION_SECONDS * 1000),
  };
}

/** One role's credentials for one account, cached until shortly before they expire. */
async function roleCredentials(role: PortalRole, accountId: string): Promise<AwsCredentials> {
  if (!(await isManagedAccount(accountId))) throw new AwsError('AccessDenied', 'sts:AssumeRole', 'UnmanagedAccount');
  const key = `${role}:${accountId}`;
  const hit = assumed.get(key);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.credentials;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = assumeRoleArn(roleTarget(role, accountId))
      .then((credentials) => {
        assumed.set(key, { credentials, expiresAt: credentials.expiration?.getTime() ?? 0 });
        return credentials;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

/** Member-role credentials for one account, cached until shortly before they expire. */
export async function accountCredentials(accountId: string): Promise<AwsCredentials> {
  return roleCredentials('member', accountId);
}

const iamClients = new Map<string, IAMClient>();

function iamAs(role: PortalRole, accountId: string): IAMClient {
  const key = `${role}:${accountId}`;
  let client = iamClients.get(key);
  if (!client) {
    client = withCallMetrics(new IAMClient({ ...baseClientConfig(), credentials: () => roleCredentials(role, accountId) }));
    iamClients.set(key, client);
  }
  return client;
}

/** The IAM client for a managed account, acting through its member role (reads and enrollment). */
export function iamForAccount(accountId: string): IAMClient {
  return iamAs('member', accountId);
}

/**
 * The IAM client acting through the account's deploy role, which can write the enforcement policy and mfa-* tags.
 * Only lib/aws/policy-writes.ts uses it, and only security-team actions call that.
 */
export function iamForDeploy(accountId: string): IAMClient {
  return iamAs('deploy', accountId);
}

/** For tests: forget cached role sessions and clients. */
export function resetAwsClients(): void {
  assumed.clear();
  inFlight.clear();
  iamClients.clear();
  portalSts = undefined;
}
