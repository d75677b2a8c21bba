import 'server-only';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stsClientFor, type AwsCredentials } from './clients';
import { awsCall } from './errors';

export type CallerIdentity = { accountId: string; arn: string; userId: string };

/**
 * Who owns these keys. The secret is used for this one signed call and is not kept:
 * the client is created for the call and dropped.
 */
export async function getCallerIdentity(credentials: AwsCredentials): Promise<CallerIdentity> {
  const out = await awsCall('sts:GetCallerIdentity', () => stsClientFor(credentials).send(new GetCallerIdentityCommand({})));
  return { accountId: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
}

export { parsePrincipalArn, type ParsedPrincipalArn } from '@/lib/iam-identifiers';
