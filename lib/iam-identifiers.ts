/**
 * IAM identifiers: the patterns IAM itself enforces and the ARNs it builds. One module, so a form, a route, the
 * configuration and the local stack accept exactly the same names. Pure: safe in server, client and scripts.
 */
import { z } from 'zod';

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** The characters IAM allows in user, group, role and policy names. */
const NAME_CHARS = String.raw`[\w+=,.@-]`;
/** An IAM user name: 1 to 64 of letters, digits and +=,.@_- */
export const IAM_USER_NAME = new RegExp(`^${NAME_CHARS}{1,64}$`);
/** An IAM role name (1 to 64; IAM's own limit). */
export const IAM_ROLE_NAME = IAM_USER_NAME;
/** An IAM group or policy name (1 to 128). */
export const IAM_GROUP_NAME = new RegExp(`^${NAME_CHARS}{1,128}$`);
export const IAM_POLICY_NAME = IAM_GROUP_NAME;
/** Any run of IAM name characters (a device name, a tag-derived name), without a length bound. */
export const IAM_NAME_CHARS = new RegExp(`^${NAME_CHARS}*$`);
/** "123456789012/alice": how a form names one IAM user in one account. */
export const USER_REF = new RegExp(`^(\\d{12})/(${NAME_CHARS}{1,64})$`);

export const isAccountId = (v: string) => ACCOUNT_ID.test(v);
export const isIamUserName = (v: string) => IAM_USER_NAME.test(v);

/** Zod fields with the portal's messages; pass a message where a form words it its own way. */
export const accountIdField = (message = 'Enter a 12-digit account id.') => z.string().regex(ACCOUNT_ID, message);
export const userNameField = (message = 'Enter an IAM user name: 1 to 64 letters, digits and +=,.@_-') => z.string().regex(IAM_USER_NAME, message);

/** One IAM user in one account. */
export type UserRef = { accountId: string; userName: string };

/** Parses "123456789012/alice"; null when it is not one. */
export function parseUserRef(v: string | null | undefined): UserRef | null {
  const m = v ? USER_REF.exec(v.trim()) : null;
  return m ? { accountId: m[1]!, userName: m[2]! } : null;
}

/** The ARNs IAM gives; the portal's users and roles live at path "/" unless a path is given. */
export const userArn = (accountId: string, userName: string, path = '/') => `arn:aws:iam::${accountId}:user${path}${userName}`;
export const roleArn = (accountId: string, roleName: string) => `arn:aws:iam::${accountId}:role/${roleName}`;
export const policyArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:policy${path}${name}`;
/** A virtual MFA device: `arn:aws:iam::ACCOUNT:mfa/<path><name>` (path without the leading slash, or empty). */
export const virtualMfaArn = (accountId: string, pathAndName: string) => `arn:aws:iam::${accountId}:mfa/${pathAndName}`;

/** Any partition (aws, aws-cn, aws-us-gov). */
const PARTITION = String.raw`arn:aws[\w-]*`;
/** A virtual device serial; group 1 = what follows `mfa/` (path and name). */
export const VIRTUAL_MFA_SERIAL = new RegExp(`^${PARTITION}:iam::\\d{12}:mfa\\/(.+)$`);
/** A virtual device serial; group 1 = the device name (last path part). */
export const VIRTUAL_MFA_NAME = new RegExp(`^${PARTITION}:iam::\\d{12}:mfa\\/(?:.*\\/)?([^/]+)$`);
/** A FIDO security key serial; group 1 = its name-id (last path part). */
export const FIDO_MFA_NAME = new RegExp(`^${PARTITION}:iam::\\d{12}:u2f\\/(?:.*\\/)?([^/]+)$`);

export type ParsedPrincipalArn =
  | { kind: 'user'; accountId: string; userName: string; path: string }
  | { kind: 'root'; accountId: string }
  | { kind: 'assumed-role' | 'federated' | 'other'; accountId: string };

/** `arn:aws:iam::123456789012:user/path/name` -> user; root, assumed roles and federated sessions are not IAM users. */
export function parsePrincipalArn(arn: string): ParsedPrincipalArn {
  const m = new RegExp(`^${PARTITION}:(iam|sts)::(\\d{12}):(.+)$`).exec(arn);
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
