import 'server-only';
import { getEnv } from '@/lib/env';
import { isManagedAccount, managedAccountIds } from '@/lib/accounts/registry';
import pLimit from 'p-limit';
import { getDb } from '@/lib/db/client';
import { AwsError, classifyAwsError, isAwsError } from '@/lib/aws/errors';
import { getIamUser, listAccountUsers, listUserGroups, listUserTags, type IamUser } from '@/lib/aws/iam';
import { getCallerIdentity, parsePrincipalArn } from '@/lib/aws/sts';
import { emailTagOf, lookupEmail } from '@/lib/inventory/email-index';
import type { UserRef } from '@/lib/iam-identifiers';
import { groupsFromClaim, rolesFor } from './roles';
import type { PortalIdentity, Principal } from './types';
import type { SignInErrorCode } from './messages';

export class SignInError extends Error {
  constructor(readonly code: SignInErrorCode, options?: { cause?: unknown }) {
    super(code, options);
    this.name = 'SignInError';
  }
}

function roleConfig() {
  const env = getEnv();
  return {
    adminIamGroups: env.MFA_ADMIN_GROUPS,
    securityIamGroups: env.MFA_SECURITY_GROUPS,
    adminOidcGroups: env.OIDC_ADMIN_GROUPS,
    securityOidcGroups: env.OIDC_SECURITY_GROUPS,
  };
}

function awsFailure(error: unknown): SignInError {
  return new SignInError('AwsUnavailable', { cause: error });
}

/** IAM groups grant portal roles only in the accounts MFA_ROLE_GROUPS_ACCOUNTS lists (all managed accounts when empty). */
export function groupsThatGrantRoles(accountId: string, groups: readonly string[], roleAccounts: readonly string[] = getEnv().MFA_ROLE_GROUPS_ACCOUNTS): string[] {
  return roleAccounts.length === 0 || roleAccounts.includes(accountId) ? [...groups] : [];
}

const byAccountThenName = (a: Principal, b: Principal) =>
  a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName);

/** At most this many candidates read at once: an email tag shared by many users stays inside IAM's request rate. */
const CONFIRM_CONCURRENCY = 8;

/**
 * A candidate from the index, read live: GetUser gives the tags and the current ARN (a path may have changed), as cheap
 * as ListUserTags; ListGroupsForUser the groups. Null when the user no longer exists.
 */
async function liveCandidate(c: UserRef): Promise<IamUser | null> {
  try {
    return await getIamUser(c.accountId, c.userName);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/**
 * The managed accounts' IAM users tagged with the email, read live. Candidates come from the inventory's index
 * (lib/inventory/email-index.ts) and are confirmed one by one; only accounts the index does not cover yet (no
 * inventory) are listed in full. A user tagged since the last inventory is not a candidate until the next one.
 */
async function usersTaggedWith(email: string): Promise<IamUser[]> {
  const env = getEnv();
  const key = env.MFA_EMAIL_TAG_KEY;
  const { candidates, unindexed } = await lookupEmail(await getDb(), email, await managedAccountIds(), key);
  try {
    const [confirmed, scanned] = await Promise.all([
      pLimit(CONFIRM_CONCURRENCY).map(candidates, liveCandidate),
      Promise.all(unindexed.map((accountId) => listAccountUsers(accountId))),
    ]);
    return [...confirmed, ...scanned.flat()].filter((u): u is IamUser => u !== null && emailTagOf(u.tags, key) === email);
  } catch (error) {
    throw awsFailure(error);
  }
}

/**
 * OIDC: the person's email maps to every IAM user, in every managed account, whose email tag matches
 * (case-insensitively). A person may own several IAM users, or none.
 */
export async function identityForEmail(input: { email: string; name?: string | null; groupsClaim: unknown }): Promise<PortalIdentity> {
  const email = input.email.trim().toLowerCase();
  const mine = await usersTaggedWith(email);
  const principals = mine.map((u) => ({ accountId: u.accountId, userName: u.userName, arn: u.arn })).sort(byAccountThenName);
  return {
    id: email,
    email,
    name: input.name?.trim() || email,
    method: 'oidc',
    roles: rolesFor({ iamGroups: mine.flatMap((u) => groupsThatGrantRoles(u.accountId, u.groups)), oidcGroups: groupsFromClaim(input.groupsClaim) }, roleConfig()),
    principals,
  };
}

/**
 * Access keys: exactly the IAM user that owns them. The secret is used for one GetCallerIdentity
 * call inside this function and is not kept or logged.
 */
export async function identityForAccessKeys(keys: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}): Promise<PortalIdentity> {
  let caller;
  try {
    caller = await getCallerIdentity(keys);
  } catch (error) {
    const { code } = classifyAwsError(error);
    if (code === 'InvalidCredentials' || code === 'AccessDenied') throw new SignInError('InvalidKeys', { cause: error });
    if (code === 'ExpiredCredentials') throw new SignInError('ExpiredKeys', { cause: error });
    throw awsFailure(error);
  }
  const parsed = parsePrincipalArn(caller.arn);
  if (parsed.kind === 'root') throw new SignInError('RootKeys');
  if (parsed.kind !== 'user') throw new SignInError('NotIamUser');
  if (!(await isManagedAccount(parsed.accountId))) throw new SignInError('UnmanagedAccount');

  let groups: string[];
  let tags: Record<string, string>;
  try {
    [groups, tags] = await Promise.all([
      listUserGroups(parsed.accountId, parsed.userName),
      listUserTags(parsed.accountId, parsed.userName),
    ]);
  } catch (error) {
    throw error instanceof AwsError ? awsFailure(error) : error;
  }
  const email = emailTagOf(tags);
  return {
    id: caller.arn,
    email,
    name: parsed.userName,
    method: 'aws-keys',
    roles: rolesFor({ iamGroups: groupsThatGrantRoles(parsed.accountId, groups), oidcGroups: [] }, roleConfig()),
    principals: [{ accountId: parsed.accountId, userName: parsed.userName, arn: caller.arn }],
  };
}

/**
 * A signed-in person's roles and principals afresh, without their credentials: OIDC re-reads the IAM users tagged
 * with the email and their groups (the groups claim is the one kept from sign-in); access keys re-read the IAM
 * user's groups and tags.
 */
export async function rederiveIdentity(identity: PortalIdentity, groupsClaim: readonly string[]): Promise<PortalIdentity> {
  if (identity.method === 'oidc') {
    return identityForEmail({ email: identity.email ?? identity.id, name: identity.name, groupsClaim: [...groupsClaim] });
  }
  const [principal] = identity.principals;
  if (!principal) throw new SignInError('NotIamUser');
  const [groups, tags] = await Promise.all([
    listUserGroups(principal.accountId, principal.userName),
    listUserTags(principal.accountId, principal.userName),
  ]);
  return {
    ...identity,
    email: emailTagOf(tags),
    roles: rolesFor({ iamGroups: groupsThatGrantRoles(principal.accountId, groups), oidcGroups: [] }, roleConfig()),
  };
}
