import 'server-only';
import { inArray, ne } from 'drizzle-orm';
import { discoverOrganizationAccounts } from '@/lib/aws/organizations';
import type { Db } from '@/lib/db/client';
import { inventoryUsers, managedAccounts } from '@/lib/db/schema';
import { getEnv, type ManagedAccount } from '@/lib/env';
import { listManagedAccounts } from './registry';
import { readManagedRecords, recordListing, type ListedAccount } from './store';

/**
 * Reads the account source (MFA_ACCOUNTS, or Organizations ListAccounts through the read role) and stores it: runs
 * at the start of every inventory run, so accounts that join appear and accounts that leave or are suspended stop
 * being managed without a restart. Returns the accounts managed from now on.
 */
export async function syncManagedAccounts(db: Db, discover = discoverOrganizationAccounts): Promise<ManagedAccount[]> {
  const env = getEnv();
  if (env.MFA_ACCOUNT_SOURCE === 'static') {
    await recordListing(db, 'static', env.MFA_ACCOUNTS.map((a): ListedAccount => ({ id: a.id, name: a.label, status: 'managed', organizationsState: null })));
  } else {
    const found = await discover();
    await recordListing(db, 'organizations', found.map((a): ListedAccount => ({ id: a.id, name: a.name, status: a.selection, organizationsState: a.state, email: a.email ?? null })));
  }
  await dropUnmanagedUsers(db);
  return listManagedAccounts();
}

/**
 * The current inventory holds managed accounts only: the stored users of an account that stopped being managed no
 * longer count in figures or gaps. Its history stays: the snapshots, past runs, the audit log and its row here.
 */
async function dropUnmanagedUsers(db: Db): Promise<void> {
  const unmanaged = db.select({ id: managedAccounts.accountId }).from(managedAccounts).where(ne(managedAccounts.status, 'managed'));
  await db.delete(inventoryUsers).where(inArray(inventoryUsers.accountId, unmanaged));
}

/**
 * At start-up, with the Organizations source and nothing discovered yet (a new installation): discover now rather
 * than at the first inventory run, so that sign-in (IAM users, roles from IAM groups) works from the start. Returns
 * the accounts managed, or null when nothing was to do.
 */
export async function discoverIfNoneYet(db: Db, discover = discoverOrganizationAccounts): Promise<ManagedAccount[] | null> {
  if (getEnv().MFA_ACCOUNT_SOURCE !== 'organizations' || (await readManagedRecords(db)).length > 0) return null;
  return syncManagedAccounts(db, discover);
}

