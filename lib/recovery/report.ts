import 'server-only';
import { and, eq } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { recoveryRequests, type RecoveryWhat } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { listMfaDevices } from '@/lib/aws/iam';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '@/lib/actions/free-text';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import type { Actor } from '@/lib/auth/types';
import { notYourUser, ownPrincipal, type PrincipalRef } from '@/lib/enrollment/ownership';
import { awsFailure } from '@/lib/enrollment/messages';
import { userArn } from '@/lib/iam-identifiers';
import { notifyRecovery } from './notify';
import { openRecoveryOf } from './queries';
import { isUniqueViolation } from '@/lib/db/errors';

export type ReportInput = { serial: string; what: RecoveryWhat; note?: string };

/**
 * A member reports a device of one of their own IAM users lost, broken or stolen. Nothing changes in AWS: the
 * device is only read, to record which one it is. One open request per IAM user (the database's unique index holds
 * it under concurrent reports too). Who reported is the session's identity: its email, or the access key's IAM user.
 */
export async function reportLostDevice(actor: Actor, ref: PrincipalRef, input: ReportInput): Promise<ActionResult<{ id: number }>> {
  const principal = await ownPrincipal(actor, ref, 'recovery.report');
  if (!principal) return notYourUser;
  if (hasControlCharacter(input.note ?? '', { multiline: true }) || hasControlCharacter(input.serial)) return invalid({ note: [CONTROL_CHARACTER_MESSAGE] }, 'Check the highlighted fields.');
  const db = await getDb();
  const target = userArn(principal.accountId, principal.userName);
  const open = await openRecoveryOf(db, principal);
  if (open) return fail('AlreadyOpen', open.state === 'reported' ? 'You already reported a device of this IAM user: an administrator will verify you soon. Cancel that report to report another device.' : 'This IAM user is in its grace: enroll a new device now.');
  let device;
  try {
    device = (await listMfaDevices(principal.accountId, principal.userName)).find((d) => d.serial === input.serial);
  } catch (error) {
    return awsFailure(error);
  }
  if (!device) return fail('NotThisUsersDevice', 'That device is not on this IAM user (any more). Reload the page.');
  let row;
  try {
    [row] = await db
      .insert(recoveryRequests)
      .values({
        accountId: principal.accountId,
        userName: principal.userName,
        deviceSerial: device.serial,
        deviceType: device.type,
        deviceName: device.name,
        what: input.what,
        note: input.note?.trim() || null,
        reportedBy: actor.id,
      })
      .returning();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return fail('AlreadyOpen', 'You already reported a device of this IAM user: an administrator will verify you soon.');
  }
  await recordAudit(db, {
    actor: actor.id,
    action: 'recovery.report',
    target,
    outcome: 'success',
    detail: { requestId: row!.id, serial: device.serial, deviceType: device.type, what: input.what, method: actor.method },
  });
  await notifyRecovery(db, actor.id, 'reported', row!);
  return ok({ id: row!.id }, `Reported. An administrator will verify who you are, then deactivate ${device.name} and give you time to enroll a new device.`);
}

/** The reporter, or another sign-in of the same IAM user's owner, withdraws a request no one has decided yet. */
export async function cancelRecovery(actor: Actor, id: number): Promise<ActionResult<{ id: number }>> {
  const db = await getDb();
  const [row] = await db.select().from(recoveryRequests).where(eq(recoveryRequests.id, id));
  const mine = row && actor.principals.some((p) => p.accountId === row.accountId && p.userName === row.userName);
  if (!row || !mine) {
    await recordAudit(db, { actor: actor.id, action: 'recovery.cancel', target: `recovery/${id}`, outcome: 'denied', detail: { reason: 'NotYourRequest' } });
    return fail('NotYourRequest', 'That request is not about one of your IAM users.');
  }
  const [cancelled] = await db
    .update(recoveryRequests)
    .set({ status: 'cancelled', decidedAt: new Date(), decidedBy: actor.id })
    .where(and(eq(recoveryRequests.id, id), eq(recoveryRequests.status, 'reported')))
    .returning();
  if (!cancelled) return fail('NotOpen', 'An administrator already decided this request. Reload the page.');
  await recordAudit(db, { actor: actor.id, action: 'recovery.cancel', target: userArn(row.accountId, row.userName), outcome: 'success', detail: { requestId: id } });
  await notifyRecovery(db, actor.id, 'cancelled', cancelled);
  return ok({ id }, 'Report cancelled. Nothing was changed in AWS.');
}
