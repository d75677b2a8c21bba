import type { MfaDevice } from '@/lib/aws/mfa-devices';

/**
 * protected: at least one MFA device; missing: console password and no device (the gap this portal closes);
 * no-console: neither, so console sign-in is impossible and MFA is not needed for it.
 */
export type MfaStatus = 'protected' | 'missing' | 'no-console';

export function mfaStatusOf(consoleAccess: boolean, devices: readonly MfaDevice[]): MfaStatus {
  if (devices.length > 0) return 'protected';
  return consoleAccess ? 'missing' : 'no-console';
}

export const mfaStatusLabel: Record<MfaStatus, string> = {
  protected: 'MFA enabled',
  missing: 'No MFA device',
  'no-console': 'No console access',
};
