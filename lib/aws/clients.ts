import 'server-only';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { getEnv } from '@/lib/env';
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
  portalSts ??= new STSClient(baseClientConfig());
  return portalSts;
}

/** Who the portal itself is (its own credentials, before any AssumeRole). */
export async function portalCallerIdentity(): Promise<{ accountId: string; arn: string }> {
  const out = await awsCall('sts:GetCallerIdentity', () => portalStsClient().send(new GetCallerIdentityCommand({})));
  return { accountId: out.Account ?? '', arn: out.Arn ?? '' };
}

/** STS for exactly the given credentials: used to check keys at sign-in, never cached. */
export function stsClientFor(credentials: AwsCredentials): STSClient {
  return new STSClient({ ...baseClientConfig(), maxAttempts: 2, credentials });
}

export function iamClientFor(credentials: AwsCredentials): IAMClient {
  return new IAMClient({ ...baseClientConfig(), credentials });
}

type Cached = { credentials: AwsCredentials; expiresAt: number };
const assumed = new Map<string, Cached>();
const inFlight = new Map<string, Promise<AwsCredentials>>();

export function memberRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${getEnv().MFA_MEMBER_ROLE_NAME}`;
}

export function isManagedAccount(accountId: string): boolean {
  return getEnv().MFA_ACCOUNTS.some((a) => a.id === accountId);
}

async function assumeMemberRole(accountId: string): Promise<AwsCredentials> {
  const env = getEnv();
  const out = await awsCall('sts:AssumeRole', () =>
    portalStsClient().send(
      new AssumeRoleCommand({
        RoleArn: memberRoleArn(accountId),
        RoleSessionName: 'mfa-portal',
        ExternalId: env.MFA_MEMBER_ROLE_EXTERNAL_ID,
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

/** Member-role credentials for one account, cached until shortly before they expire. */
export async function accountCredentials(accountId: string): Promise<AwsCredentials> {
  if (!isManagedAccount(accountId)) throw new AwsError('AccessDenied', 'sts:AssumeRole', 'UnmanagedAccount');
  const hit = assumed.get(accountId);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.credentials;
  let pending = inFlight.get(accountId);
  if (!pending) {
    pending = assumeMemberRole(accountId)
      .then((credentials) => {
        assumed.set(accountId, { credentials, expiresAt: credentials.expiration?.getTime() ?? 0 });
        return credentials;
      })
      .finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, pending);
  }
  return pending;
}

const iamClients = new Map<string, IAMClient>();

/** The IAM client for a managed account, acting through its member role. */
export function iamForAccount(accountId: string): IAMClient {
  let client = iamClients.get(accountId);
  if (!client) {
    client = new IAMClient({ ...baseClientConfig(), credentials: () => accountCredentials(accountId) });
    iamClients.set(accountId, client);
  }
  return client;
}

/** For tests: forget cached role sessions and clients. */
export function resetAwsClients(): void {
  assumed.clear();
  inFlight.clear();
  iamClients.clear();
  portalSts = undefined;
}
