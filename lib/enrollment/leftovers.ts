import 'server-only';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { isAwsError } from '@/lib/aws/errors';
import { deleteVirtualMfaDevice, listUnassignedVirtualDevices } from '@/lib/aws/mfa';
import type { Principal } from '@/lib/auth/types';
import { auditedMutation, recordAudit } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';
import { creationTimes, recordEvent, stepAudit } from './events';
import { virtualMfaArn } from '@/lib/iam-identifiers';

/** The portal creates its virtual devices under this path, one folder per IAM user, so it can recognise its own. */
export const PORTAL_DEVICE_PATH = '/mfa-portal/';
export const portalPathFor = (userName: string) => `${PORTAL_DEVICE_PATH}${userName}/`;
export const LEFTOVER_MAX_AGE_MS = 60 * 60_000;

const portalPrefix = (accountId: string) => virtualMfaArn(accountId, PORTAL_DEVICE_PATH.slice(1));

async function deleteLeftover(actor: string, principal: Pick<Principal, 'accountId' | 'userName'>, serial: string, reason: string): Promise<boolean> {
  try {
    await auditedMutation(stepAudit(actor, principal, 'leftover.deleted', { serial, reason }), 'iam:DeleteVirtualMFADevice', () => deleteVirtualMfaDevice(principal.accountId, serial));
  } catch (error) {
    // Someone enabled it meanwhile (DeleteConflict) or it is already gone: not a leftover any more.
    if (isAwsError(error, 'DeleteConflict', 'NoSuchEntity')) return false;
    throw error;
  }
  await recordEvent({ actor, principal, kind: 'leftover.deleted', outcome: 'success', reason, deviceType: 'virtual', serial });
  return true;
}

/**
 * Before a new virtual enrollment: removes this user's unassigned devices that the portal created, and
 * the classic console leftover `mfa/<userName>` that makes the console answer EntityAlreadyExists forever.
 */
export async function cleanUpForUser(actor: string, principal: Principal): Promise<string[]> {
  const unassigned = await listUnassignedVirtualDevices(principal.accountId);
  const ours = `${portalPrefix(principal.accountId)}${principal.userName}/`;
  const consoleLeftover = virtualMfaArn(principal.accountId, principal.userName);
  const removed: string[] = [];
  for (const serial of unassigned) {
    const reason = serial.startsWith(ours) ? 'retry' : serial === consoleLeftover ? 'console-leftover' : null;
    if (reason && (await deleteLeftover(actor, principal, serial, reason))) removed.push(serial);
  }
  return removed;
}

/** Deletes a device this enrollment created, if it is still unassigned (cancel, expiry, too many attempts). */
export async function discardEnrollmentDevice(actor: string, principal: Principal, serial: string, reason: string): Promise<void> {
  await deleteLeftover(actor, principal, serial, reason);
}

export type SweepResult = { accountId: string; deleted: number; kept: number; error?: string }[];

/**
 * Deletes the portal's own unassigned virtual devices older than an hour, in every managed account.
 * Devices outside the portal's path are never touched. Each sweep is audited with its results.
 */
export async function sweepLeftovers(actor: string, now = Date.now()): Promise<SweepResult> {
  const results: SweepResult = [];
  for (const account of await listManagedAccounts()) {
    try {
      const prefix = portalPrefix(account.id);
      const candidates = (await listUnassignedVirtualDevices(account.id)).filter((s) => s.startsWith(prefix));
      const created = await creationTimes(candidates);
      let deleted = 0;
      for (const serial of candidates) {
        const at = created.get(serial);
        // No creation event means it was not created recently through this portal's database: old.
        if (at && now - at.getTime() < LEFTOVER_MAX_AGE_MS) continue;
        const userName = serial.slice(prefix.length).split('/')[0] ?? '';
        if (await deleteLeftover(actor, { accountId: account.id, userName }, serial, 'sweep')) deleted++;
      }
      results.push({ accountId: account.id, deleted, kept: candidates.length - deleted });
    } catch (error) {
      results.push({ accountId: account.id, deleted: 0, kept: 0, error: (error as Error).name });
    }
  }
  await recordAudit(await getDb(), { actor, action: 'enrollment.sweep', outcome: 'success', detail: { results } });
  return results;
}
