import 'server-only';
import { listMfaDevices } from '@/lib/aws/iam';
import type { Principal } from '@/lib/auth/types';

/**
 * IAM is eventually consistent: after EnableMFADevice the device may take a moment to be listed.
 * Returns whether it was seen within the bounded wait.
 */
export async function confirmDeviceListed(principal: Principal, serial: string, attempts = 5, delayMs = 400): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if ((await listMfaDevices(principal.accountId, principal.userName)).some((d) => d.serial === serial)) return true;
    await new Promise((r) => setTimeout(r, delayMs * (i + 1)));
  }
  return false;
}
