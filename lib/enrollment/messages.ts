import { classifyAwsError, type AwsErrorCode } from '@/lib/aws/errors';
import { fail } from '@/lib/actions/result';

export const MAX_DEVICES_PER_USER = 8;

export const messages = {
  DeviceLimit: `This IAM user already has ${MAX_DEVICES_PER_USER} MFA devices, the most AWS allows. Remove one you no longer use, then add the new one.`,
  TooManyAttempts: 'Too many wrong codes for this setup, so it was cancelled and its QR code no longer works. Start again to get a new QR code.',
  EnrollmentExpired: 'This setup expired: a QR code is valid for 10 minutes. Start again to get a new QR code.',
  EnrollmentOtherSession: 'This setup was started in another browser or session, so it can be finished only there. Start again here to get a new QR code.',
  SetupUnreadable: 'This setup could not be read back (its saved state was changed or damaged). Start again to get a new QR code.',
  SetupCancelled: 'This setup was cancelled (in this or another tab). Start again to get a new QR code.',
  SetupAlreadyDone: 'This setup is already finished: the device is on. See My devices.',
  SetupUnknown: 'The portal has no record of this setup. Start again to get a new QR code.',
  DeviceGone:
    'The device of this setup no longer exists in AWS: a newer setup for this IAM user replaced it, or it was cleaned up. Start again to get a new QR code.',
  ReauthRequired: 'For your safety, removing a device needs a fresh sign-in (within the last 5 minutes). Sign in again, then remove it.',
  AdminReauthRequired: 'For your safety, deactivating someone else\'s device needs a fresh sign-in (within the last 5 minutes). Sign in again, then deactivate it.',
  LastDevice:
    'This is the only MFA device of an IAM user that can sign in to the console, and MFA is required. Add another device first, then remove this one. Lost it? Ask an administrator to deactivate it.',
  NotThisUsersDevice: 'That device does not belong to this IAM user (any more). Reload the page.',
  FidoNoSync: 'Security keys never drift, so they do not need (and cannot be) resynchronised.',
  FidoNoCli: 'Security keys and passkeys cannot be used with the AWS CLI (STS). Test it by signing in to the console instead.',
  KeysNotThisUser: 'These access keys belong to a different IAM user. Use the keys of the IAM user this device is on.',
} as const;

const awsMessages: Partial<Record<AwsErrorCode, string>> = {
  InvalidAuthenticationCode:
    'AWS did not accept these codes. Enter two codes in a row from this device: type one, wait for it to change, then type the next.',
  LimitExceeded: messages.DeviceLimit,
  EntityTemporarilyUnmodifiable: 'AWS is still applying a recent change to this IAM user. Wait a minute, then try again.',
  ConcurrentModification: 'Another change to this IAM user is in progress. Wait a moment, then try again.',
  Throttled: 'AWS is busy (throttling). Wait a minute, then try again; nothing was changed.',
  ServiceFailure: 'AWS reported an internal error. Try again in a minute; nothing was changed.',
  Unreachable: 'AWS could not be reached. Try again in a minute; nothing was changed.',
  AccessDenied: 'The portal is not allowed to do this in that AWS account. Ask an administrator to check the member role.',
  NoSuchEntity: 'AWS could not find that IAM user or device. Reload the page; it may have changed.',
};

/** An expected AWS failure as a result with a human message; unknown failures are rethrown. */
export function awsFailure(error: unknown, overrides: Partial<Record<AwsErrorCode, string>> = {}) {
  const { code } = classifyAwsError(error);
  const message = overrides[code] ?? awsMessages[code];
  if (!message || code === 'Unknown') throw error;
  return fail(code, message);
}
