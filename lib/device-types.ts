/**
 * The one vocabulary of MFA device types: every page, export, report and message names a type from here.
 * Pure (no I/O), safe for server and client code. FIDO devices are security keys or passkeys: AWS lists both with a
 * `u2f` serial and nothing documented tells them apart (see /work/shared/AWS-FACTS.md), so one name covers both.
 */
import type { DeviceType } from '@/lib/db/schema';

export type { DeviceType };

/** In the order pages list them. */
export const ALL_DEVICE_TYPES: readonly DeviceType[] = ['virtual', 'hardware', 'fido'];

/** As a label or heading. */
export const deviceTypeLabel: Record<DeviceType, string> = {
  virtual: 'Authenticator app',
  hardware: 'Hardware TOTP token',
  fido: 'Security key or passkey',
};

/** Inside a sentence. */
export const deviceTypeNoun: Record<DeviceType, string> = {
  virtual: 'authenticator app',
  hardware: 'hardware TOTP token',
  fido: 'security key or passkey',
};

/** Plural, inside a sentence. */
export const deviceTypePlural: Record<DeviceType, string> = {
  virtual: 'authenticator apps',
  hardware: 'hardware TOTP tokens',
  fido: 'security keys or passkeys',
};

/** Phishing-resistant types: the device is bound to the sign-in origin (WebAuthn), a typed code is not. */
export const PHISHING_RESISTANT_TYPES: readonly DeviceType[] = ['fido'];

/**
 * Certifications as AWS's GetMFADevice reports them for a FIDO device (from the FIDO Alliance metadata service):
 * keys such as `FIDO`, `FIPS-140-2`, `FIPS-140-3`, each with a level.
 */
export type Certifications = Record<string, string>;

/** Certified: GetMFADevice reported at least one certification with a level. Not read (undefined/null) is not certified. */
export const isCertified = (d: { type: DeviceType; certifications?: Certifications | null }) =>
  d.type === 'fido' && !!d.certifications && Object.values(d.certifications).some((v) => v !== '');

/** "FIDO L1, FIPS-140-3 L2", or null when none. */
export function certificationsText(c: Certifications | null | undefined): string | null {
  const parts = Object.entries(c ?? {}).filter(([, v]) => v !== '').map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : null;
}
