import 'server-only';
import { getDb } from '@/lib/db/client';
import { countedIam } from '@/lib/aws/inventory-sources';
import { getFidoCertifications, hasConsoleAccess, listMfaDevices, type IamUser } from '@/lib/aws/iam';
import type { Actor, Principal } from '@/lib/auth/types';
import { assertRole } from '@/lib/auth/roles';
import { recordAudit } from '@/lib/audit/log';
import { getEnv } from '@/lib/env';
import { classify } from './classify';
import { flagRulesFrom } from './flag-rules';
import { readUserRow, toRow, upsertUserRow, type InventoryUserRow } from './store';

/** An admin's "verify now" of one user: the live re-check, audited. AWS errors are thrown to the caller. */
export async function verifyUserNow(actor: Actor, principal: Pick<Principal, 'accountId' | 'userName' | 'arn'>): Promise<InventoryUserRow> {
  assertRole(actor.roles, 'admin', 'verifying a user');
  const row = await verifyUser(principal, 'verify');
  await recordAudit(await getDb(), { actor: actor.id, action: 'inventory.verify-user', target: principal.arn, outcome: 'success' });
  return row;
}

/**
 * A live re-check of one user (GetLoginProfile + ListMFADevices, GetMFADevice per security key), stored at once: after the portal's own
 * enrollments (source 'portal'), for "verify now" (source 'verify') and for IAM change events (source 'event', lib/events), so nobody waits for the next run
 * or a credential report that may be hours old. Tags, groups and dates come from the stored row when
 * there is one; leftovers are kept unless the device is now enabled.
 */
export async function verifyUser(
  principal: Pick<Principal, 'accountId' | 'userName' | 'arn'>,
  source: 'portal' | 'verify' | 'event',
  now: Date = new Date(),
  /** The user's path, tags and groups read live (IAM change events: a new user, a tag change); else the stored row's. */
  live?: Partial<Pick<IamUser, 'arn' | 'path' | 'createdAt' | 'tags' | 'groups'>> & { passwordLastUsed?: Date | null },
): Promise<InventoryUserRow> {
  const { accountId, userName } = principal;
  countedIam(accountId);
  const db = await getDb();
  const [consoleAccess, listed, stored] = await Promise.all([
    hasConsoleAccess(accountId, userName),
    listMfaDevices(accountId, userName),
    readUserRow(db, accountId, userName),
  ]);
  // One user's security keys: read their certifications, so a category that counts only certified keys sees them
  // here as the inventory would (a FIDO device without them would read as uncertified until the next run).
  const devices = await Promise.all(
    listed.map(async (d) => (d.type === 'fido' ? { ...d, certifications: await getFidoCertifications(accountId, userName, d.serial) } : d)),
  );
  const classified = classify(
    {
      accountId,
      userName,
      arn: live?.arn || (stored?.arn ?? principal.arn),
      path: live?.path ?? stored?.path ?? '/',
      createdAt: live?.createdAt ? new Date(live.createdAt) : (stored?.createdAt ?? null),
      tags: live?.tags ?? stored?.tags ?? {},
      groups: live?.groups ?? stored?.groups ?? [],
      consoleAccess,
      // Without a stored row there is no usage on record: unknown, so no usage-based flag.
      passwordLastUsed: live?.passwordLastUsed !== undefined ? live.passwordLastUsed : stored ? stored.passwordLastUsed : undefined,
      accessKeyLastUsed: stored?.accessKeyLastUsed ?? null,
      devices,
      leftoverDevices: (stored?.leftoverDevices ?? []).filter((s) => !devices.some((d) => d.serial === s)),
    },
    now,
    flagRulesFrom(getEnv()),
  );
  return upsertUserRow(db, toRow(classified, source, stored?.runId ?? null, now));
}
