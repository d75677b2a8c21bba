/** Pure knowledge of AWS MFA serial formats; safe for server and client code. */
import type { Certifications, DeviceType } from '@/lib/device-types';
import { FIDO_MFA_NAME, VIRTUAL_MFA_NAME } from '@/lib/iam-identifiers';

export type MfaDeviceType = DeviceType;

export type MfaDevice = {
  serial: string;
  type: MfaDeviceType;
  name: string;
  /** ISO 8601 */
  enabledAt: string | null;
  /** FIDO only, when GetMFADevice was read: {} = none reported (e.g. a synced passkey). Absent: not read. */
  certifications?: Certifications | null;
};

const virtualArn = VIRTUAL_MFA_NAME;
const fidoArn = FIDO_MFA_NAME;

/**
 * Virtual devices are `arn:…:mfa/<path><name>`, FIDO keys `arn:…:u2f/user/<user>/<name>-<id>`;
 * a hardware TOTP token's serial is the vendor serial printed on it, not an ARN.
 */
export function deviceTypeFromSerial(serial: string): MfaDeviceType {
  if (fidoArn.test(serial)) return 'fido';
  if (virtualArn.test(serial)) return 'virtual';
  return 'hardware';
}

export function deviceNameFromSerial(serial: string): string {
  return (fidoArn.exec(serial) ?? virtualArn.exec(serial))?.[1] ?? serial;
}

export function toMfaDevice(serial: string, enabledAt: Date | string | null | undefined): MfaDevice {
  const date = enabledAt ? new Date(enabledAt) : null;
  return {
    serial,
    type: deviceTypeFromSerial(serial),
    name: deviceNameFromSerial(serial),
    enabledAt: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
  };
}
