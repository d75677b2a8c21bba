import 'server-only';
import { listMfaDevices } from '@/lib/aws/iam';
import { deactivateMfaDevice, deleteVirtualMfaDevice } from '@/lib/aws/mfa';
import { isAwsError } from '@/lib/aws/errors';
import { isManagedAccount } from '@/lib/accounts/registry';
import { hasRole } from '@/lib/auth/roles';
import { auditedMutation, recordAudit } from '@/lib/audit/log';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '@/lib/actions/free-text';
import { getDb } from '@/lib/db/client';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import type { Actor } from '@/lib/auth/types';
import { refreshStoredUser } from './freshness';
import { recordEvent } from './events';
import { awsFailure, messages } from './messages';
import { REAUTH_MAX_AGE_SECONDS } from './devices';
import { userArn } from '@/lib/iam-identifiers';

/**
 * An admin deactivates a device a person has lost, with a recorded reason, so they can enroll a new one.
 * Audited with the device list before and after; each AWS call between an intent row (with the reason) and
 * an outcome row, so nothing happens in AWS unless the reason is on record first.
 */
export async function deactivateLostDevice(
  actor: Actor,
  target: { accountId: string; userName: string },
  input: { serial: string; reason: string },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<ActionResult<{ serial: string }>> {
  const db = await getDb();
  const targetArn = userArn(target.accountId, target.userName);
  if (!hasRole(actor.roles, 'admin') || !(await isManagedAccount(target.accountId))) {
    await recordAudit(db, { actor: actor.id, action: 'device.deactivate-lost', target: targetArn, outcome: 'denied', detail: { serial: input.serial } });
    return fail('Forbidden', 'Only portal administrators can deactivate another person\'s device.');
  }
  // The domain does not trust that its caller used the form.
  if (hasControlCharacter(input.reason) || hasControlCharacter(input.serial)) return invalid({ reason: [CONTROL_CHARACTER_MESSAGE] }, 'Check the highlighted fields.');
  // Like a member's own removal: a session left open must not be enough to take someone's device away.
  if (nowSeconds - actor.authTime > REAUTH_MAX_AGE_SECONDS) {
    await recordAudit(db, { actor: actor.id, action: 'device.deactivate-lost', target: targetArn, outcome: 'denied', detail: { serial: input.serial, reason: 'ReauthRequired' } });
    return fail('ReauthRequired', messages.AdminReauthRequired);
  }
  try {
    const before = await listMfaDevices(target.accountId, target.userName);
    const device = before.find((d) => d.serial === input.serial);
    if (!device) return fail('NotThisUsersDevice', 'That device is not on this IAM user (any more). Reload the page.');
    const audit = { actor: actor.id, action: 'device.deactivate-lost' as const, target: targetArn, detail: { reason: input.reason, serial: input.serial, deviceType: device.type } };
    await auditedMutation(audit, 'iam:DeactivateMFADevice', () => deactivateMfaDevice(target.accountId, target.userName, input.serial), db);
    if (device.type === 'virtual') {
      await auditedMutation(audit, 'iam:DeleteVirtualMFADevice', () => deleteVirtualMfaDevice(target.accountId, input.serial), db).catch((error: unknown) => {
        if (!isAwsError(error, 'NoSuchEntity')) throw error;
      });
    }
    const after = before.filter((d) => d.serial !== input.serial);
    await recordAudit(db, {
      actor: actor.id,
      action: 'device.deactivate-lost',
      target: targetArn,
      outcome: 'success',
      detail: { reason: input.reason, serial: input.serial, before: before.map((d) => d.serial), after: after.map((d) => d.serial) },
    });
    await recordEvent({ actor: actor.id, principal: target, kind: 'device.removed', outcome: 'success', reason: 'lost-device', deviceType: device.type, serial: input.serial, detail: { byAdmin: true } });
    await refreshStoredUser({ ...target, arn: targetArn });
    return ok({ serial: input.serial }, `Deactivated ${device.name}. ${target.userName} can now enroll a new device.`);
  } catch (error) {
    const result = awsFailure(error);
    await recordAudit(db, { actor: actor.id, action: 'device.deactivate-lost', target: targetArn, outcome: 'failure', detail: { serial: input.serial, reason: result.code } });
    return result;
  }
}
