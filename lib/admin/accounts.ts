import 'server-only';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { classifyAwsError, type AwsErrorCode } from '@/lib/aws/errors';
import { getAccountAlias } from '@/lib/aws/iam';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';

export type AccountHealth = {
  id: string;
  label: string;
  alias: string | null;
  reachable: boolean;
  problem?: AwsErrorCode;
};

/** Whether the portal can assume its member role in each managed account (admin only). */
export async function getAccountHealth(actor: Actor): Promise<AccountHealth[]> {
  assertRole(actor.roles, 'admin', 'account health');
  return Promise.all(
    (await listManagedAccounts()).map(async (a): Promise<AccountHealth> => {
      try {
        return { id: a.id, label: a.label, alias: await getAccountAlias(a.id), reachable: true };
      } catch (error) {
        return { id: a.id, label: a.label, alias: null, reachable: false, problem: classifyAwsError(error).code };
      }
    }),
  );
}
