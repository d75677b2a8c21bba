import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { programUsers, recoveryRequests, type RecoveryRequestRow } from '@/lib/db/schema';
import { auditedMutation, recordAudit } from '@/lib/audit/log';
import { listMfaDevices } from '@/lib/aws/iam';
import { deactivateMfaDevice, deleteVirtualMfaDevice } from '@/lib/aws/mfa';
import { isAwsError } from '@/lib/aws/errors';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '@/lib/actions/free-text';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import type { Actor } from '@/lib/auth/types';
import { recordEvent } from '@/lib/enrollment/events';
import { refreshStoredUser } from '@/lib/enrollment/freshness';
import { awsFailure } from '@/lib/enrollment/messages';
import { formatDateTimeUtc } from '@/lib/format';
import { userArn } from '@/lib/iam-identifiers';
import { notifyRecovery } from './notify';
import { decisionRefusal, graceEndsAt, missingChecks } from './rules';
import { getRecoverySettings } from './settings';
import { openGrace } from './window-link';

/** Loads the request and applies who-may-decide; a refusal is audited. `retry`: an approved request without its grace. */
async function decidable(db: Db, actor: Actor, id: number, action: 'recovery.approve' | 'recovery.reject') {
  const [row] = await db.select().from(recoveryRequests).where(eq(recoveryRequests.id, id));
  if (!row) {
    await recordAudit(db, { actor: actor.id, action, target: `recovery/${id}`, outcome: 'denied', detail: { reason: 'NotFound' } });
    return { refused: fail('NotFound', 'No such recovery request.') };
  }
  const retry = action === 'recovery.approve' && row.status === 'approved' && row.windowId === null && row.graceEndsAt === null;
  const refusal = decisionRefusal(actor, retry ? { ...row, status: 'reported' } : row);
  if (refusal) {
    await recordAudit(db, { actor: actor.id, action, target: userArn(row.accountId, row.userName), outcome: 'denied', detail: { requestId: id, reason: refusal.code } });
    return { refused: fail(refusal.code, refusal.message) };
  }
  return { row, retry };
}

/** Deactivates the reported device (and deletes a virtual one, so its name is free), each call audited before and after. */
async function deactivateDevice(db: Db, actor: Actor, row: RecoveryRequestRow): Promise<{ alreadyGone: boolean }> {
  const target = userArn(row.accountId, row.userName);
  const devices = await listMfaDevices(row.accountId, row.userName);
  const device = devices.find((d) => d.serial === row.deviceSerial);
  const audit = { actor: actor.id, action: 'recovery.deactivate' as const, target, detail: { requestId: row.id, serial: row.deviceSerial, deviceType: row.deviceType } };
  if (!device) {
    // Removed since the report (by the member, or an admin): nothing left to deactivate, which is the aim.
    await recordAudit(db, { ...audit, outcome: 'success', detail: { ...audit.detail, alreadyGone: true } });
    return { alreadyGone: true };
  }
  await auditedMutation(audit, 'iam:DeactivateMFADevice', () => deactivateMfaDevice(row.accountId, row.userName, row.deviceSerial), db);
  if (device.type === 'virtual') {
    await auditedMutation(audit, 'iam:DeleteVirtualMFADevice', () => deleteVirtualMfaDevice(row.accountId, row.deviceSerial), db).catch((error: unknown) => {
      if (!isAwsError(error, 'NoSuchEntity')) throw error;
    });
  }
  await recordEvent({ actor: actor.id, principal: row, kind: 'device.removed', outcome: 'success', reason: 'lost-device', deviceType: device.type, serial: row.deviceSerial, detail: { byAdmin: true, requestId: row.id } });
  await refreshStoredUser({ accountId: row.accountId, userName: row.userName, arn: target });
  return { alreadyGone: false };
}

/**
 * An admin who is not the reporter nor an owner of the IAM user approves, having ticked every check the security
 * team set. The request is claimed first (one approval wins, however many are sent), then the device is
 * deactivated, then the grace opened (lib/windows: a window of kind 'grace', enforced by IAM). If AWS refuses the
 * deactivation the claim is given back; if the grace cannot be opened the request stays approved without it and
 * approving again opens it.
 */
export async function approveRecovery(actor: Actor, input: { id: number; checked: string[] }, now = new Date()): Promise<ActionResult<{ id: number; graceEndsAt: Date }>> {
  const db = await getDb();
  const found = await decidable(db, actor, input.id, 'recovery.approve');
  if ('refused' in found) return found.refused!;
  const { retry } = found;
  let row = found.row;
  const target = userArn(row.accountId, row.userName);
  const settings = await getRecoverySettings(db);
  const missing = missingChecks(settings.checklist, input.checked);
  if (missing.length) return invalid({ checked: [`Confirm every check before approving. Not ticked: ${missing.join('; ')}.`] }, 'Check the highlighted fields.');
  if (!retry) {
    const checklist = settings.checklist.map((item) => ({ item, by: actor.id, at: now.toISOString() }));
    const [claimed] = await db
      .update(recoveryRequests)
      .set({ status: 'approved', decidedBy: actor.id, decidedAt: now, checklist })
      .where(and(eq(recoveryRequests.id, row.id), eq(recoveryRequests.status, 'reported')))
      .returning();
    if (!claimed) return fail('NotOpen', 'This request was already decided or cancelled. Reload the page.');
    row = claimed;
    await recordAudit(db, { actor: actor.id, action: 'recovery.approve', target, outcome: 'intent', detail: { requestId: row.id, checklist: settings.checklist, reportedBy: row.reportedBy } });
    try {
      await deactivateDevice(db, actor, row);
    } catch (error) {
      await db.update(recoveryRequests).set({ status: 'reported', decidedBy: null, decidedAt: null, checklist: [] }).where(eq(recoveryRequests.id, row.id));
      const result = awsFailure(error);
      await recordAudit(db, { actor: actor.id, action: 'recovery.approve', target, outcome: 'failure', detail: { requestId: row.id, reason: result.code } });
      return result;
    }
  }
  const endsAt = graceEndsAt(now, settings.graceHours, settings.maxGraceHours);
  const grace = await openGrace(actor, { accountId: row.accountId, userName: row.userName, endsAt, reason: `Lost-device recovery ${row.id} (${row.what})`, recoveryId: row.id, requestedBy: row.reportedBy }, db);
  if (grace.status === 'error' && grace.code === 'NotLater') return noWindowNeeded(db, actor, row);
  if (grace.status !== 'success') {
    const code = grace.status === 'error' ? grace.code : 'Invalid';
    const message = grace.status === 'error' ? grace.message : 'The grace was refused.';
    await recordAudit(db, { actor: actor.id, action: 'recovery.approve', target, outcome: 'failure', detail: { requestId: row.id, step: 'grace', reason: code } });
    return fail('GraceFailed', `The device was deactivated, but the grace could not be opened (${message}). Approve again to retry.`);
  }
  const [done] = await db
    .update(recoveryRequests)
    .set({ graceEndsAt: grace.data.endsAt, windowId: grace.data.id })
    .where(and(eq(recoveryRequests.id, row.id), isNull(recoveryRequests.windowId)))
    .returning();
  await recordAudit(db, { actor: actor.id, action: 'recovery.approve', target, outcome: 'success', detail: { requestId: row.id, windowId: grace.data.id, graceEndsAt: grace.data.endsAt.toISOString(), retry } });
  await notifyRecovery(db, actor.id, 'approved', done ?? { ...row, graceEndsAt: grace.data.endsAt, windowId: grace.data.id });
  return ok(
    { id: row.id, graceEndsAt: grace.data.endsAt },
    `Approved: ${row.deviceName} is deactivated and ${row.userName} may work without MFA until ${formatDateTimeUtc(grace.data.endsAt)} to enroll a new device.`,
  );
}

/**
 * lib/windows refuses a window that would end before the user's deadline (a window never shortens one). Then the
 * user has until that deadline anyway: it is recorded as the end of their time to enroll, without a window.
 */
async function noWindowNeeded(db: Db, actor: Actor, row: RecoveryRequestRow): Promise<ActionResult<{ id: number; graceEndsAt: Date }>> {
  const [user] = await db
    .select({ deadline: programUsers.deadline })
    .from(programUsers)
    .where(and(eq(programUsers.accountId, row.accountId), eq(programUsers.userName, row.userName)));
  const deadline = user?.deadline ?? null;
  if (!deadline) return fail('GraceFailed', 'The device was deactivated, but the grace could not be opened. Approve again to retry.');
  const [done] = await db.update(recoveryRequests).set({ graceEndsAt: deadline }).where(eq(recoveryRequests.id, row.id)).returning();
  await recordAudit(db, { actor: actor.id, action: 'recovery.approve', target: userArn(row.accountId, row.userName), outcome: 'success', detail: { requestId: row.id, windowId: null, deadline: deadline.toISOString() } });
  await notifyRecovery(db, actor.id, 'approved', done ?? { ...row, graceEndsAt: deadline });
  return ok({ id: row.id, graceEndsAt: deadline }, `Approved: ${row.deviceName} is deactivated. No grace was needed: ${row.userName}'s deadline, ${formatDateTimeUtc(deadline)}, is later.`);
}

/** Same rules as approval; nothing changes in AWS. The reason is told to the member. */
export async function rejectRecovery(actor: Actor, input: { id: number; reason: string }, now = new Date()): Promise<ActionResult<{ id: number }>> {
  const db = await getDb();
  const found = await decidable(db, actor, input.id, 'recovery.reject');
  if ('refused' in found) return found.refused!;
  if (found.retry) return fail('NotOpen', 'This request was already approved.');
  const reason = input.reason.trim();
  if (hasControlCharacter(reason, { multiline: true })) return invalid({ reason: [CONTROL_CHARACTER_MESSAGE] }, 'Check the highlighted fields.');
  if (reason.length < 5 || reason.length > 500) return invalid({ reason: ['Give the member a reason of 5 to 500 characters.'] }, 'Check the highlighted fields.');
  const [rejected] = await db
    .update(recoveryRequests)
    .set({ status: 'rejected', decidedBy: actor.id, decidedAt: now, rejectReason: reason })
    .where(and(eq(recoveryRequests.id, input.id), eq(recoveryRequests.status, 'reported')))
    .returning();
  if (!rejected) return fail('NotOpen', 'This request was already decided or cancelled. Reload the page.');
  await recordAudit(db, { actor: actor.id, action: 'recovery.reject', target: userArn(rejected.accountId, rejected.userName), outcome: 'success', detail: { requestId: input.id, reason } });
  await notifyRecovery(db, actor.id, 'rejected', rejected);
  return ok({ id: input.id }, `Rejected. ${rejected.userName}'s device was not changed; the member is told why.`);
}
