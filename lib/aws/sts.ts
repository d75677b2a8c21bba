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

export type ParsedPrincipalArn =
  | { kind: 'user'; accountId: string; userName: string; path: string }
  | { kind: 'root'; accountId: string }
  | { kind: 'assumed-role' | 'federated' | 'other'; accountId: string };

/** `arn:aws:iam::123456789012:user/path/name` -> user; root, assumed roles and federated sessions are not IAM users. */
export function parsePrincipalArn(arn: string): ParsedPrincipalArn {
  const m = /^arn:aws[\w-]*:(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return { kind: 'other', accountId: '' };
  const [, service, accountId = '', resource = ''] = m;
  if (resource === 'root') return { kind: 'root', accountId };
  if (service === 'iam' && resource.startsWith('user/')) {
    const parts = resource.slice('user/'.length).split('/');
    const userName = parts.pop() ?? '';
    return { kind: 'user', accountId, userName, path: `/${parts.map((p) => `${p}/`).join('')}` };
  }
  if (service === 'sts' && resource.startsWith('assumed-role/')) return { kind: 'assumed-role', accountId };
  if (service === 'sts' && resource.startsWith('federated-user/')) return { kind: 'federated', accountId };
  return { kind: 'other', accountId };
}
