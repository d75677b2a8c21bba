import 'server-only';
import { verifyUser } from '@/lib/inventory/verify';
import { latestRuns } from '@/lib/inventory/refresh';
import type { Principal } from '@/lib/auth/types';
import { log } from '@/lib/log';
import { reconcileUserWindowsQuietly } from '@/lib/windows/new-users';

/**
 * After the portal changes a user's devices, the stored inventory row is re-read at once so the dashboard
 * is right without waiting for the next run. A failure here must not undo a successful enrollment.
 */
export async function refreshStoredUser(principal: Pick<Principal, 'accountId' | 'userName' | 'arn'>): Promise<void> {
  try {
    // Before the first inventory there is nothing to keep fresh, and one lone row would look like a whole inventory.
    if ((await latestRuns(1)).length === 0) return;
    await verifyUser(principal, 'portal');
    // With MFA now, a window (extension, new user, grace) no longer matters: it closes (lib/windows).
    await reconcileUserWindowsQuietly([principal]);
  } catch (error) {
    log.error({ accountId: principal.accountId, userName: principal.userName, errorName: (error as Error).name }, 'inventory: could not refresh the stored user after a change');
  }
}
