import 'server-only';
import { hasConsoleAccess, listMfaDevices } from '@/lib/aws/iam';
import { deactivateMfaDevice, deleteVirtualMfaDevice, getSessionTokenWithMfa, resyncMfaDevice } from '@/lib/aws/mfa';
import { isAwsError } from '@/lib/aws/errors';
import { deviceTypeLabel } from '@/lib/device-types';
import { auditedMutation } from '@/lib/audit/log';
import { getCallerIdentity } from '@/lib/aws/sts';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { clockDriftMessage, diagnoseDeviceClock } from './diagnose';
import type { Actor, Principal } from '@/lib/auth/types';
import { refreshStoredUser } from './freshness';
import { recordEvent, stepAudit } from './events';
import { withRateLimit } from './limiter';
import { awsFailure, messages } from './messages';
import { notYourUser, ownPrincipal, type PrincipalRef } from './ownership';

/** Removing a device needs a sign-in this recent. */
export const REAUTH_MAX_AGE_SECONDS = 5 * 60;

async function deviceOf(principal: { accountId: string; userName: string }, serial: string) {
  const devices = await listMfaDevices(principal.accountId, principal.userName);
  return { devices, device: devices.find((d) => d.serial === serial) ?? null };
}

export type ResyncInput = {
  serial: string;
  code1: string;
  code2: string;
  /** For an authenticator app: the hours:minutes the phone shows, and the UTC offset (minutes) of the browser's zone. */
  deviceTime?: string;
  utcOffsetMinutes?: number;
};

export async function resyncDevice(actor: Actor, ref: PrincipalRef, input: ResyncInput, now = Date.now()): Promise<ActionResult<{ serial: string }>> {
  const principal = await ownPrincipal(actor, ref, 'device.resync');
  if (!principal) return notYourUser;
  return withRateLimit(principal, 'resync', () => resyncWithinLimit(actor, principal, input, now));
}

async function resyncWithinLimit(actor: Actor, principal: Principal, input: ResyncInput, now: number): Promise<ActionResult<{ serial: string }>> {
  const event = { actor: actor.id, principal, kind: 'device.resync' as const, serial: input.serial };
  try {
    const { device } = await deviceOf(principal, input.serial);
    if (!device) return fail('NotThisUsersDevice', messages.NotThisUsersDevice);
    if (device.type === 'fido') return fail('FidoNoSync', messages.FidoNoSync);
    // A phone's clock can be fixed, so it is checked before AWS is asked to follow it; a token's cannot (resync is for that).
    if (device.type === 'virtual') {
      if (!input.deviceTime) return invalid({ deviceTime: ['Enter the time your phone shows now (hours and minutes).'] });
      const clock = diagnoseDeviceClock({ shown: input.deviceTime, utcOffsetMinutes: input.utcOffsetMinutes ?? 0, now });
      if (clock.kind === 'drift') {
        await recordEvent({ ...event, deviceType: device.type, outcome: 'failure', reason: 'drift', detail: { seconds: clock.seconds, direction: clock.direction } });
        return fail('ClockDrift', clockDriftMessage(clock));
      }
    }
    await auditedMutation(stepAudit(actor.id, principal, 'device.resync', { serial: input.serial }), 'iam:ResyncMFADevice', () =>
      resyncMfaDevice(principal.accountId, principal.userName, input.serial, input.code1, input.code2),
    );
    await recordEvent({ ...event, deviceType: device.type, outcome: 'success' });
    return ok({ serial: input.serial }, 'Device resynchronised: AWS now expects its codes at its current clock.');
  } catch (error) {
    const result = awsFailure(error, {
      InvalidAuthenticationCode: 'AWS did not accept these codes. Enter two codes in a row from this device (wait for the code to change between them).',
    });
    await recordEvent({ ...event, outcome: 'failure', reason: result.code });
    return result;
  }
}

export async function removeDevice(actor: Actor, ref: PrincipalRef, input: { serial: string }, nowSeconds = Math.floor(Date.now() / 1000)): Promise<ActionResult<{ serial: string }>> {
  const principal = await ownPrincipal(actor, ref, 'device.remove');
  if (!principal) return notYourUser;
  if (nowSeconds - actor.authTime > REAUTH_MAX_AGE_SECONDS) return fail('ReauthRequired', messages.ReauthRequired);
  const event = { actor: actor.id, principal, kind: 'device.removed' as const, serial: input.serial };
  try {
    const [{ devices, device }, consoleAccess] = await Promise.all([
      deviceOf(principal, input.serial),
      hasConsoleAccess(principal.accountId, principal.userName),
    ]);
    if (!device) return fail('NotThisUsersDevice', messages.NotThisUsersDevice);
    // Until the program defines scope, every console user must keep MFA.
    if (consoleAccess && devices.length === 1) {
      await recordEvent({ ...event, deviceType: device.type, outcome: 'failure', reason: 'LastDevice' });
      return fail('LastDevice', messages.LastDevice);
    }
    const audit = stepAudit(actor.id, principal, 'device.removed', { serial: input.serial, deviceType: device.type });
    await auditedMutation(audit, 'iam:DeactivateMFADevice', () => deactivateMfaDevice(principal.accountId, principal.userName, input.serial));
    if (device.type === 'virtual') {
      await auditedMutation(audit, 'iam:DeleteVirtualMFADevice', () => deleteVirtualMfaDevice(principal.accountId, input.serial)).catch((error: unknown) => {
        if (!isAwsError(error, 'NoSuchEntity')) throw error;
      });
    }
    await recordEvent({ ...event, deviceType: device.type, outcome: 'success' });
    await refreshStoredUser(principal);
    return ok(
      { serial: input.serial },
      `Removed ${deviceTypeLabel[device.type].toLowerCase()} “${device.name}” (serial ${input.serial}) from ${principal.userName}. ` +
        `It is no longer accepted at sign-in${device.type === 'virtual' ? ', and its AWS record was deleted' : ''}.`,
    );
  } catch (error) {
    const result = awsFailure(error);
    await recordEvent({ ...event, outcome: 'failure', reason: result.code });
    return result;
  }
}

/** CLI proof: the person's own keys + a current code -> sts:GetSessionToken. The secret is used once and dropped. */
export async function testDeviceWithKeys(
  actor: Actor,
  ref: PrincipalRef,
  input: { serial: string; accessKeyId: string; secretAccessKey: string; code: string },
): Promise<ActionResult<{ serial: string }>> {
  const principal = await ownPrincipal(actor, ref, 'device.test-cli');
  if (!principal) return notYourUser;
  return withRateLimit(principal, 'cli-test', () => testWithinLimit(actor, principal, input));
}

async function testWithinLimit(actor: Actor, principal: Principal, input: { serial: string; accessKeyId: string; secretAccessKey: string; code: string }): Promise<ActionResult<{ serial: string }>> {
  const event = { actor: actor.id, principal, kind: 'device.test-cli' as const, serial: input.serial };
  const keys = { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey };
  try {
    const { device } = await deviceOf(principal, input.serial);
    if (!device) return fail('NotThisUsersDevice', messages.NotThisUsersDevice);
    if (device.type === 'fido') return fail('FidoNoCli', messages.FidoNoCli);
    const caller = await getCallerIdentity(keys).catch((error: unknown) => {
      if (isAwsError(error, 'InvalidCredentials', 'ExpiredCredentials')) return null;
      throw error;
    });
    if (!caller) {
      await recordEvent({ ...event, deviceType: device.type, outcome: 'failure', reason: 'InvalidKeys' });
      return fail('InvalidKeys', 'AWS did not accept these access keys. Check the key ID and secret.');
    }
    if (caller.arn !== principal.arn) {
      await recordEvent({ ...event, deviceType: device.type, outcome: 'failure', reason: 'KeysNotThisUser' });
      return fail('KeysNotThisUser', messages.KeysNotThisUser);
    }
    try {
      await getSessionTokenWithMfa(keys, input.serial, input.code);
    } catch (error) {
      if (!isAwsError(error, 'AccessDenied', 'InvalidAuthenticationCode')) throw error;
      await recordEvent({ ...event, deviceType: device.type, outcome: 'failure', reason: 'MfaRejected' });
      return fail('MfaRejected', 'AWS refused the code for a session token. Wait for a new code and try again; if it keeps failing, resync the device.');
    }
    await recordEvent({ ...event, deviceType: device.type, outcome: 'success' });
    return ok({ serial: input.serial }, 'It works: AWS issued a session token with this device. The CLI can use it with `aws sts get-session-token`.');
  } catch (error) {
    const result = awsFailure(error);
    await recordEvent({ ...event, outcome: 'failure', reason: result.code });
    return result;
  }
}

/** A console user reports how signing in with the device went. */
export async function recordConsoleTest(
  actor: Actor,
  ref: PrincipalRef,
  input: { serial: string; outcome: 'passed' | 'failed'; errorSeen?: string },
): Promise<ActionResult<{ serial: string }>> {
  const principal = await ownPrincipal(actor, ref, 'device.test-console');
  if (!principal) return notYourUser;
  try {
    const { device } = await deviceOf(principal, input.serial);
    if (!device) return fail('NotThisUsersDevice', messages.NotThisUsersDevice);
    await recordEvent({
      actor: actor.id,
      principal,
      kind: 'device.test-console',
      outcome: input.outcome === 'passed' ? 'success' : 'failure',
      reason: input.outcome === 'passed' ? undefined : 'ConsoleSignInFailed',
      deviceType: device.type,
      serial: input.serial,
      detail: input.errorSeen ? { errorSeen: input.errorSeen } : {},
    });
    return ok({ serial: input.serial }, input.outcome === 'passed' ? 'Recorded: console sign-in with this device works.' : 'Recorded the failed sign-in. Try resyncing the device, or ask an administrator.');
  } catch (error) {
    return awsFailure(error);
  }
}
