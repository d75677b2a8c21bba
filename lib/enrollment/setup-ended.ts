/**
 * Result codes after which a virtual setup can no longer be completed: its QR code and key are dead, so the
 * page goes back to step 1 and shows the reason. Shared by the server (which ends the setup) and the form.
 */
export const SETUP_ENDED_CODES = [
  'TooManyAttempts',
  'EnrollmentExpired',
  'EnrollmentOtherSession',
  'SetupUnreadable',
  'SetupCancelled',
  'SetupAlreadyDone',
  'SetupUnknown',
  'DeviceGone',
  'DeviceTypeNotAllowed',
  'NotYourIamUser',
] as const;

export const endsSetup = (code: string) => (SETUP_ENDED_CODES as readonly string[]).includes(code);
