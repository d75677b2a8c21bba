import 'server-only';
import {
  GetLoginProfileCommand,
  GetMFADeviceCommand,
  GetUserCommand,
  ListAccountAliasesCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListUserTags,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { iamForAccount } from './clients';
import { awsCall, isAwsError } from './errors';
import { toMfaDevice, type MfaDevice } from './mfa-devices';
import type { Certifications } from '@/lib/device-types';

/** An IAM user as the portal sees it: our type, never the SDK's. */
export type IamUser = {
  accountId: string;
  userName: string;
  arn: string;
  path: string;
  createdAt: string | null;
  tags: Record<string, string>;
  groups: string[];
};

function toTags(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? '';
  return out;
}

export function toIamUser(accountId: string, u: UserDetail): IamUser {
  return {
    accountId,
    userName: u.UserName ?? '',
    arn: u.Arn ?? '',
    path: u.Path ?? '/',
    createdAt: u.CreateDate ? new Date(u.CreateDate).toISOString() : null,
    tags: toTags(u.Tags),
    groups: u.GroupList ?? [],
  };
}

/** Every IAM user of an account with tags and groups, in bulk (GetAccountAuthorizationDetails). */
export async function listAccountUsers(accountId: string): Promise<IamUser[]> {
  return awsCall('iam:GetAccountAuthorizationDetails', async () => {
    const users: IamUser[] = [];
    const pages = paginateGetAccountAuthorizationDetails({ client: iamForAccount(accountId) }, { Filter: ['User'] });
    for await (const page of pages) for (const u of page.UserDetailList ?? []) users.push(toIamUser(accountId, u));
    return users;
  });
}

/** One user's path, tags and groups, live (for a user the stored inventory has not seen yet). */
export async function getIamUser(accountId: string, userName: string): Promise<IamUser> {
  const [out, groups] = await Promise.all([
    awsCall('iam:GetUser', () => iamForAccount(accountId).send(new GetUserCommand({ UserName: userName }))),
    listUserGroups(accountId, userName),
  ]);
  const u = out.User;
  return {
    accountId,
    userName,
    arn: u?.Arn ?? '',
    path: u?.Path ?? '/',
    createdAt: u?.CreateDate ? new Date(u.CreateDate).toISOString() : null,
    tags: toTags(u?.Tags),
    groups,
  };
}

export async function listUserGroups(accountId: string, userName: string): Promise<string[]> {
  return awsCall('iam:ListGroupsForUser', async () => {
    const groups: string[] = [];
    for await (const page of paginateListGroupsForUser({ client: iamForAccount(accountId) }, { UserName: userName }))
      for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
    return groups;
  });
}

export async function listUserTags(accountId: string, userName: string): Promise<Record<string, string>> {
  return awsCall('iam:ListUserTags', async () => {
    const tags: { Key?: string; Value?: string }[] = [];
    for await (const page of paginateListUserTags({ client: iamForAccount(accountId) }, { UserName: userName }))
      tags.push(...(page.Tags ?? []));
    return toTags(tags);
  });
}

/** Whether the user has a console password; AWS answers NoSuchEntity when there is none. */
export async function hasConsoleAccess(accountId: string, userName: string): Promise<boolean> {
  try {
    await awsCall('iam:GetLoginProfile', () =>
      iamForAccount(accountId).send(new GetLoginProfileCommand({ UserName: userName })),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return false;
    throw error;
  }
}

export async function listMfaDevices(accountId: string, userName: string): Promise<MfaDevice[]> {
  return awsCall('iam:ListMFADevices', async () => {
    const devices: MfaDevice[] = [];
    for await (const page of paginateListMFADevices({ client: iamForAccount(accountId) }, { UserName: userName }))
      for (const d of page.MFADevices ?? []) if (d.SerialNumber) devices.push(toMfaDevice(d.SerialNumber, d.EnableDate));
    return devices;
  });
}

/**
 * A FIDO device's certifications (GetMFADevice; AWS accepts only `u2f` serials there): {} when AWS reports none,
 * which is what an uncertified key or a synced passkey looks like.
 */
export async function getFidoCertifications(accountId: string, userName: string, serial: string): Promise<Certifications> {
  const out = await awsCall('iam:GetMFADevice', () =>
    iamForAccount(accountId).send(new GetMFADeviceCommand({ UserName: userName, SerialNumber: serial })),
  );
  return Object.fromEntries(Object.entries(out.Certifications ?? {}).filter(([, v]) => typeof v === 'string')) as Certifications;
}

const aliases = new Map<string, { alias: string | null; at: number }>();
const ALIAS_TTL_MS = 15 * 60_000;

/** The account alias (used in console sign-in URLs and for display), cached briefly. */
export async function getAccountAlias(accountId: string): Promise<string | null> {
  const hit = aliases.get(accountId);
  if (hit && Date.now() - hit.at < ALIAS_TTL_MS) return hit.alias;
  const out = await awsCall('iam:ListAccountAliases', () =>
    iamForAccount(accountId).send(new ListAccountAliasesCommand({})),
  );
  const alias = out.AccountAliases?.[0] ?? null;
  aliases.set(accountId, { alias, at: Date.now() });
  return alias;
}
