import 'server-only';
import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { getEnv } from '@/lib/env';
import { auditedMutation } from '@/lib/audit/log';
import { isAwsError } from '@/lib/aws/errors';
import { getAccountAlias, listMfaDevices } from '@/lib/aws/iam';
import { createVirtualMfaDevice, enableMfaDevice } from '@/lib/aws/mfa';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { refuseDisallowedType } from '@/lib/program/device-type-guard';
import type { Actor, Principal } from '@/lib/auth/types';
import { diagnoseCodes, diagnosisMessage } from './diagnose';
import { refreshStoredUser } from './freshness';
import { countEnrollmentEvents, enrollmentHistory, recordEvent, stepAudit } from './events';
import { cleanUpForUser, discardEnrollmentDevice, portalPathFor } from './leftovers';
import { awsFailure, MAX_DEVICES_PER_USER, messages } from './messages';
import { notYourUser, ownPrincipal, type PrincipalRef } from './ownership';
import { seal, unseal } from './seal';
import { confirmDeviceListed } from './confirm';
import { withRateLimit } from './limiter';
import { otpauthUri } from './otpauth';
import { RATE_LIMITS } from './rate-limits';

export const ENROLLMENT_TTL_MS = 10 * 60_000;
export const MAX_CREATIONS_PER_HOUR = RATE_LIMITS.virtual.max;
export const MAX_CODE_ATTEMPTS = 5;

/** What lives in the sealed, short-lived cookie between the two steps. The only place the seed exists. */
type PendingEnrollment = {
  v: 1;
  id: string;
  accountId: string;
  userName: string;
  serial: string;
  deviceName: string;
  seedBase32: string;
  createdAt: number;
};

export type StartedEnrollment = {
  enrollmentId: string;
  accountId: string;
  userName: string;
  deviceName: string;
  /**
   * The QR code as an SVG data URL, the same `otpauth://` URI for the "Add to authenticator app" link, and the same
   * secret as text for manual entry. Shown once, never stored or logged.
   */
  qrCode: string;
  otpauthUri: string;
  manualKey: string;
  expiresAt: string;
};

export const enrollmentCookieName = (enrollmentId: string) => `mfa_enroll_${enrollmentId.replace(/[^\w-]/g, '')}`;

const sealOptions = (actor: Actor, enrollmentId: string) => ({
  serverSecret: getEnv().NEXTAUTH_SECRET,
  previousSecrets: getEnv().MFA_PREVIOUS_SECRET ? [getEnv().MFA_PREVIOUS_SECRET!] : [],
  purpose: 'virtual-enrollment',
  context: `${enrollmentId}|${actor.id}`,
});

/** Groups a base32 key in fours so a person can read and type it. */
export const groupKey = (key: string) => key.replace(/(.{4})/g, '$1 ').trim();

/** The key URI and its QR code, both from the one seed of the pending setup (the link and the code carry the same account). */
async function keyUriFor(p: Principal, seedBase32: string): Promise<{ otpauthUri: string; qrCode: string }> {
  const where = (await getAccountAlias(p.accountId).catch(() => null)) ?? p.accountId;
  const uri = otpauthUri({ issuer: `AWS ${where}`, account: `${p.userName}@${where}`, secretBase32: seedBase32 });
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { otpauthUri: uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/**
 * Step 1: create the virtual device and hand its secret to the person once. Returns the sealed state
 * the caller must put in a short-lived httpOnly cookie.
 */
export async function startVirtualEnrollment(
  actor: Actor,
  ref: PrincipalRef,
  input: { deviceName: string },
): Promise<ActionResult<StartedEnrollment & { sealed: string }>> {
  const principal = await ownPrincipal(actor, ref, 'enrollment.virtual.start');
  if (!principal) return notYourUser;
  const refused = async (code: string, message: string) => {
    await recordEvent({ actor: actor.id, principal, kind: 'virtual.created', outcome: 'failure', reason: code, deviceType: 'virtual' });
    return fail(code, message);
  };
  const disallowed = await refuseDisallowedType(actor, principal, 'virtual', 'enrollment.virtual.start').catch((error: unknown) => awsFailure(error));
  if (disallowed) return refused(disallowed.code, disallowed.message);
  const started = await withRateLimit(principal, 'virtual', () => startWithinLimit(actor, principal, input, refused));
  // Only the limiter answers RateLimited here: its refusal is recorded like the other refusals.
  return started.status === 'error' && started.code === 'RateLimited' ? refused(started.code, started.message) : started;
}

async function startWithinLimit(
  actor: Actor,
  principal: Principal,
  input: { deviceName: string },
  refused: (code: string, message: string) => Promise<ReturnType<typeof fail>>,
): Promise<ActionResult<StartedEnrollment & { sealed: string }>> {
  try {
    const devices = await listMfaDevices(principal.accountId, principal.userName);
    if (devices.length >= MAX_DEVICES_PER_USER) return refused('DeviceLimit', messages.DeviceLimit);
    await cleanUpForUser(actor.id, principal);
    let created;
    try {
      created = await auditedMutation(stepAudit(actor.id, principal, 'virtual.created', { deviceName: input.deviceName }), 'iam:CreateVirtualMFADevice', () =>
        createVirtualMfaDevice(principal.accountId, input.deviceName, portalPathFor(principal.userName)),
      );
    } catch (error) {
      if (isAwsError(error, 'EntityAlreadyExists')) {
        await recordEvent({ actor: actor.id, principal, kind: 'virtual.created', outcome: 'failure', reason: 'NameTaken', deviceType: 'virtual' });
        return invalid({ deviceName: [`You already have a device named ${input.deviceName} on ${principal.userName}. Choose another name.`] });
      }
      throw error;
    }
    const enrollmentId = randomUUID();
    const createdAt = Date.now();
    await recordEvent({ actor: actor.id, principal, kind: 'virtual.created', outcome: 'success', enrollmentId, deviceType: 'virtual', serial: created.serial });
    const state: PendingEnrollment = {
      v: 1,
      id: enrollmentId,
      accountId: principal.accountId,
      userName: principal.userName,
      serial: created.serial,
      deviceName: input.deviceName,
      seedBase32: created.seedBase32,
      createdAt,
    };
    return ok({
      enrollmentId,
      accountId: principal.accountId,
      userName: principal.userName,
      deviceName: input.deviceName,
      ...(await keyUriFor(principal, created.seedBase32)),
      manualKey: groupKey(created.seedBase32),
      expiresAt: new Date(createdAt + ENROLLMENT_TTL_MS).toISOString(),
      sealed: seal(state, sealOptions(actor, enrollmentId)),
    });
  } catch (error) {
    const result = awsFailure(error);
    await recordEvent({ actor: actor.id, principal, kind: 'virtual.created', outcome: 'failure', reason: result.code, deviceType: 'virtual' });
    return result;
  }
}

export type CompletedEnrollment = { accountId: string; userName: string; serial: string; deviceName: string };

/**
 * Step 2: check the two codes locally (explaining drift and order mistakes), then EnableMFADevice and
 * confirm with ListMFADevices. `done` tells the caller to destroy the cookie.
 */
export async function completeVirtualEnrollment(
  actor: Actor,
  input: { enrollmentId: string; sealed: string | undefined; code1: string; code2: string },
  now = Date.now(),
): Promise<{ result: ActionResult<CompletedEnrollment>; done: boolean }> {
  const state = input.sealed ? unseal<PendingEnrollment>(input.sealed, sealOptions(actor, input.enrollmentId)) : null;
  if (!state || state.id !== input.enrollmentId) return { result: await whyUnavailable(actor, input.enrollmentId, Boolean(input.sealed), now), done: true };
  const principal = await ownPrincipal(actor, state, 'enrollment.virtual.complete');
  if (!principal) return { result: notYourUser, done: true };
  const event = { actor: actor.id, principal, enrollmentId: state.id, deviceType: 'virtual' as const, serial: state.serial };

  // The category may have changed since step 1: check again before enabling, and drop the unassigned device.
  const disallowed = await refuseDisallowedType(actor, principal, 'virtual', 'enrollment.virtual.complete').catch((error: unknown) => awsFailure(error));
  if (disallowed?.code === 'DeviceTypeNotAllowed') {
    await discardEnrollmentDevice(actor.id, principal, state.serial, 'not-allowed').catch(() => undefined);
    await recordEvent({ ...event, kind: 'virtual.cancelled', outcome: 'failure', reason: disallowed.code });
    return { result: disallowed, done: true };
  }
  if (disallowed) return { result: disallowed, done: false };

  if (now - state.createdAt > ENROLLMENT_TTL_MS) {
    await discardEnrollmentDevice(actor.id, principal, state.serial, 'expired').catch(() => undefined);
    await recordEvent({ ...event, kind: 'virtual.cancelled', outcome: 'failure', reason: 'expired' });
    return { result: fail('EnrollmentExpired', messages.EnrollmentExpired), done: true };
  }
  const tooMany = async (last?: string) => {
    await discardEnrollmentDevice(actor.id, principal, state.serial, 'too-many-attempts').catch(() => undefined);
    return { result: fail('TooManyAttempts', last ? `${last} ${messages.TooManyAttempts}` : messages.TooManyAttempts), done: true };
  };
  if ((await countEnrollmentEvents(state.id, 'virtual.codes')) >= MAX_CODE_ATTEMPTS) return tooMany();

  const diagnosis = diagnoseCodes({ secretBase32: state.seedBase32, code1: input.code1, code2: input.code2, now });
  await recordEvent({ ...event, kind: 'virtual.codes', outcome: diagnosis.kind === 'accepted' ? 'success' : 'failure', reason: diagnosis.kind });
  if (diagnosis.kind !== 'accepted') {
    // The last allowed wrong pair ends the setup at once rather than leaving a QR code that can no longer work.
    if ((await countEnrollmentEvents(state.id, 'virtual.codes')) >= MAX_CODE_ATTEMPTS) return tooMany(diagnosisMessage(diagnosis));
    return { result: fail(`Codes.${diagnosis.kind}`, diagnosisMessage(diagnosis)), done: false };
  }

  try {
    await auditedMutation(stepAudit(actor.id, principal, 'virtual.enabled', { serial: state.serial, enrollmentId: state.id }), 'iam:EnableMFADevice', () =>
      enableMfaDevice(principal.accountId, principal.userName, state.serial, input.code1, input.code2),
    );
  } catch (error) {
    // A double submit: the first request already enabled it for this user.
    const already = isAwsError(error, 'EntityAlreadyExists') &&
      (await listMfaDevices(principal.accountId, principal.userName)).some((d) => d.serial === state.serial);
    if (!already) {
      // The unassigned device was deleted meanwhile (a newer setup, a cancel in another tab, the sweep).
      if (isAwsError(error, 'NoSuchEntity')) {
        await recordEvent({ ...event, kind: 'virtual.enabled', outcome: 'failure', reason: 'DeviceGone' });
        return { result: fail('DeviceGone', messages.DeviceGone), done: true };
      }
      const result = awsFailure(error);
      await recordEvent({ ...event, kind: 'virtual.enabled', outcome: 'failure', reason: result.code });
      return { result, done: false };
    }
  }
  await confirmDeviceListed(principal, state.serial);
  await recordEvent({ ...event, kind: 'virtual.enabled', outcome: 'success' });
  await refreshStoredUser(principal);
  return {
    result: ok({ accountId: principal.accountId, userName: principal.userName, serial: state.serial, deviceName: state.deviceName }),
    done: true,
  };
}

/**
 * Why a setup whose sealed state is missing or unreadable cannot be finished, from what was recorded about it:
 * each cause gets its own message, so "started in another session" is said only when that is what happened.
 */
async function whyUnavailable(actor: Actor, enrollmentId: string, sealPresent: boolean, now: number): Promise<ActionResult<never>> {
  const history = await enrollmentHistory(enrollmentId);
  const created = history.find((e) => e.kind === 'virtual.created' && e.outcome === 'success');
  if (!created) return fail('SetupUnknown', messages.SetupUnknown);
  if (created.actor !== actor.id) return fail('EnrollmentOtherSession', messages.EnrollmentOtherSession);
  if (history.some((e) => e.kind === 'virtual.enabled' && e.outcome === 'success')) return fail('SetupAlreadyDone', messages.SetupAlreadyDone);
  if (history.filter((e) => e.kind === 'virtual.codes').length >= MAX_CODE_ATTEMPTS) return fail('TooManyAttempts', messages.TooManyAttempts);
  const cancelled = history.find((e) => e.kind === 'virtual.cancelled');
  if (cancelled?.reason === 'DeviceTypeNotAllowed') return fail('DeviceTypeNotAllowed', 'This kind of device is no longer allowed for this IAM user, so the setup was cancelled.');
  if (cancelled?.reason === 'expired' || now - created.at.getTime() > ENROLLMENT_TTL_MS) return fail('EnrollmentExpired', messages.EnrollmentExpired);
  if (cancelled) return fail('SetupCancelled', messages.SetupCancelled);
  if (history.some((e) => e.reason === 'DeviceGone')) return fail('DeviceGone', messages.DeviceGone);
  // Recent, this person's, still open: the state lives in another browser's cookie, or this one was altered.
  return sealPresent ? fail('SetupUnreadable', messages.SetupUnreadable) : fail('EnrollmentOtherSession', messages.EnrollmentOtherSession);
}

/** Cancel: delete the unassigned device now rather than waiting for the sweep. */
export async function cancelVirtualEnrollment(actor: Actor, input: { enrollmentId: string; sealed: string | undefined }): Promise<ActionResult> {
  const state = input.sealed ? unseal<PendingEnrollment>(input.sealed, sealOptions(actor, input.enrollmentId)) : null;
  if (!state) return ok(undefined);
  const principal = await ownPrincipal(actor, state, 'enrollment.virtual.cancel');
  if (!principal) return notYourUser;
  await discardEnrollmentDevice(actor.id, principal, state.serial, 'cancelled').catch(() => undefined);
  await recordEvent({ actor: actor.id, principal, kind: 'virtual.cancelled', outcome: 'success', enrollmentId: state.id, deviceType: 'virtual', serial: state.serial });
  return ok(undefined);
}
