import 'server-only';
import { getDb } from '@/lib/db/client';
import { getEnv, type ManagedAccount } from '@/lib/env';
import { isManagedRecord, readManagedRecords } from './store';

export type { ManagedAccount };

/**
 * The accounts the portal manages. Every reader of "which accounts" goes through here, so the source (the static
 * MFA_ACCOUNTS list, or AWS Organizations discovery) is decided in one place.
 *
 * With Organizations, the accounts are those the last inventory run's discovery stored (managed_accounts), read from
 * the database on every call: every instance sharing it sees the same list as soon as a run has discovered it.
 */
export async function listManagedAccounts(): Promise<ManagedAccount[]> {
  const env = getEnv();
  if (env.MFA_ACCOUNT_SOURCE === 'static') return env.MFA_ACCOUNTS;
  return (await readManagedRecords(await getDb())).map((r) => ({ id: r.accountId, label: r.name }));
}

/**
 * Asked for every AWS credential and every IAM change event: with Organizations, one row is read, not the whole list
 * (an organisation may have thousands of accounts).
 */
export async function isManagedAccount(accountId: string): Promise<boolean> {
  const env = getEnv();
  if (env.MFA_ACCOUNT_SOURCE === 'static') return env.MFA_ACCOUNTS.some((a) => a.id === accountId);
  return isManagedRecord(await getDb(), accountId);
}

/** Account id to display label (the id itself when the account has no label). */
export async function accountLabels(): Promise<Map<string, string>> {
  return new Map((await listManagedAccounts()).map((a) => [a.id, a.label]));
}

/** The managed accounts' ids. */
export async function managedAccountIds(): Promise<string[]> {
  return (await listManagedAccounts()).map((a) => a.id);
}

/** One account's label: the id itself when it is not managed or has no label. */
export async function accountLabel(accountId: string): Promise<string> {
  return (await accountLabels()).get(accountId) ?? accountId;
}
