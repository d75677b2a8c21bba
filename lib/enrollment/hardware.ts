import 'server-only';
import { listMfaDevices } from '@/lib/aws/iam';
import { enableMfaDevice } from '@/lib/aws/mfa';
import { auditedMutation } from '@/lib/audit/log';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import type { Actor, Principal } from '@/lib/auth/types';
import { refuseDisallowedType } from '@/lib/program/device-type-guard';
import { confirmDeviceListed } from './confirm';
import { recordEvent, stepAudit } from './events';
import { awsFailure, MAX_DEVICES_PER_USER, messages } from './messages';
import { refreshStoredUser } from './freshness';
import { withRateLimit } from './limiter';
import { notYourUser, ownPrincipal, type PrincipalRef } from './ownership';

export async function enrollHardwareToken(
  actor: Actor,
  ref: PrincipalRef,
  input: { serial: string; code1: string; code2: string },
): Promise<ActionResult<{ accountId: string; userName: string; serial: string }>> {
  const principal = await ownPrincipal(actor, ref, 'enrollment.hardware');
  if (!principal) return notYourUser;
  // No enrollment event: failed hardware.enable events count towards the code-attempt limit.
  const disallowed = await refuseDisallowedType(actor, principal, 'hardware', 'enrollment.hardware').catch((error: unknown) => awsFailure(error));
  if (disallowed) return disallowed;
  return withRateLimit(principal, 'hardware', () => enrollWithinLimit(actor, principal, input));
}

async function enrollWithinLimit(
  actor: Actor,
  principal: Principal,
  input: { serial: string; code1: string; code2: string },
): Promise<ActionResult<{ accountId: string; userName: string; serial: string }>> {
  const event = { actor: actor.id, principal, kind: 'hardware.enable' as const, deviceType: 'hardware' as const, serial: input.serial };
  try {
    const devices = await listMfaDevices(principal.accountId, principal.userName);
    if (devices.some((d) => d.serial === input.serial)) return fail('AlreadyYours', `Token ${input.serial} is already enabled on ${principal.userName}.`);
    if (devices.length >= MAX_DEVICES_PER_USER) return fail('DeviceLimit', messages.DeviceLimit);
    await auditedMutation(stepAudit(actor.id, principal, 'hardware.enable', { serial: input.serial }), 'iam:EnableMFADevice', () =>
      enableMfaDevice(principal.accountId, principal.userName, input.serial, input.code1, input.code2),
    );
  } catch (error) {
    const result = awsFailure(error, {
      NoSuchEntity: `AWS does not know a hardware token with serial ${input.serial}. Check the serial printed on the back of the token (letters and digits, no spaces).`,
      EntityAlreadyExists: `Token ${input.serial} is already assigned to another IAM user. Each token can protect only one user; ask an administrator for another token.`,
      InvalidAuthenticationCode: 'AWS did not accept these codes for this token. Press the button, type the code, wait for the next one (about 30 seconds), then type that one.',
    });
    await recordEvent({ ...event, outcome: 'failure', reason: result.code });
    return result;
  }
  await confirmDeviceListed(principal, input.serial);
  await recordEvent({ ...event, outcome: 'success' });
  await refreshStoredUser(principal);
  return ok({ accountId: principal.accountId, userName: principal.userName, serial: input.serial });
}
