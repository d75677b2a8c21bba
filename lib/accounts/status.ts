import 'server-only';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { listManagedAccounts } from './registry';
import { readAccountRecords, type AccountRecord } from './store';

/** What an admin does about an account whose member role cannot be assumed. */
export const UNREACHABLE_REMEDY =
  'Deploy the member StackSet to this account or its OU (infra/aws MemberStackSetStack; with auto-deployment, accounts that join later get it by themselves), then refresh the inventory.';

export type UnreachableAccount = { id: string; label: string; reason: string | null; checkedAt: Date | null };

export type FormerAccount = Pick<AccountRecord, 'status' | 'organizationsState' | 'firstSeenAt' | 'lastSeenAt' | 'lastManagedAt'> & { id: string; label: string };

export type AccountsState = {
  /** Managed accounts whose member role could not be assumed at the last inventory run: their users are unknown, not 0. */
  unreachable: UnreachableAccount[];
  /** Accounts managed before and no longer (left the organisation, suspended, filtered out, removed from MFA_ACCOUNTS). */
  former: FormerAccount[];
};

/** The managed accounts' reachability and the accounts no longer managed, from the last inventory run (admin only). */
export async function getAccountsState(actor: Actor): Promise<AccountsState> {
  assertRole(actor.roles, 'admin', 'account state');
  const [managed, records] = await Promise.all([listManagedAccounts(), readAccountRecords(await getDb())]);
  const byId = new Map(records.map((r) => [r.accountId, r]));
  const managedIds = new Set(managed.map((a) => a.id));
  return {
    unreachable: managed.flatMap((a) => {
      const r = byId.get(a.id);
      return r?.reachable === false ? [{ id: a.id, label: a.label, reason: r.unreachableReason, checkedAt: r.reachabilityCheckedAt }] : [];
    }),
    former: records
      .filter((r) => !managedIds.has(r.accountId) && r.lastManagedAt !== null)
      .map((r) => ({ id: r.accountId, label: r.name, status: r.status, organizationsState: r.organizationsState, firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt, lastManagedAt: r.lastManagedAt })),
  };
}

/** Why a former account is no longer managed, in words. */
export function formerReason(a: Pick<FormerAccount, 'status' | 'organizationsState'>): string {
  if (a.status === 'inactive') return `${(a.organizationsState ?? 'not active').toLowerCase().replace('_', ' ')} in AWS Organizations`;
  if (a.status === 'excluded') return 'excluded by the OU or account filters';
  return 'no longer listed by the account source';
}
