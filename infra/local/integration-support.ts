import type { IAMClient } from '@aws-sdk/client-iam';
import { inject } from 'vitest';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient, type AwsCredentials, type AwsTarget } from './aws-clients';
import type { GroundTruth } from './ground-truth';

/** What the integration tests of infra/local share: the one local stack (vitest-global-setup.ts) and its keys. */
export function localStack() {
  const stack = inject('stack');
  const region = stack.env.AWS_REGION ?? 'us-east-1';
  /** The portal's own key, before it assumes a role. */
  const portalKey: AwsCredentials = { accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '' };
  return {
    stack,
    region,
    portalKey,
    /** The AWS endpoint the portal uses: the proxy in front of moto. */
    viaProxy: { endpoint: stack.awsEndpoint, region } satisfies AwsTarget,
    /** moto itself, without the proxy's faults. */
    direct: { endpoint: stack.motoUrl, region } satisfies AwsTarget,
  };
}

/** An SDK error as the tests compare it: its modeled name, HTTP status, message and the SDK's attempts. */
export type Failure = { name: string; status?: number; message: string; attempts?: number };

export async function failure(promise: Promise<unknown>): Promise<Failure | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, attempts: e.$metadata?.attempts };
  }
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** IAM clients per account, as the portal has them: its own key, then AssumeRole MfaPortalMember with the external id. */
export async function memberRoleClients(
  target: AwsTarget,
  portalKey: AwsCredentials,
  truth: GroundTruth,
  sessionName: string,
): Promise<Map<string, IAMClient>> {
  const clients = new Map<string, IAMClient>();
  for (const account of truth.accounts) {
    const credentials = await assumeRole(target, portalKey, roleArn(account.id, truth.memberRole.name), {
      sessionName,
      externalId: truth.memberRole.externalId,
    });
    clients.set(account.id, iamClient(target, credentials));
  }
  return clients;
}
