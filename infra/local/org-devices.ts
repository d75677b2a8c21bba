import { virtualMfaArn } from '@/lib/iam-identifiers';
import type { DeviceType, GroundTruthDevice, MfaState } from './ground-truth';
import { FIDO_NAMES } from './names';
import type { Rng } from './prng';
import { toBase32 } from './totp';

/** The demo organisation's MFA devices (org-plan.ts): which kinds a user holds, their serials, names and certifications. */

/** The proportions the seed aims at for people's users; service users mostly have no MFA. */
export const HUMAN_MFA_MIX = { none: 40, virtual: 30, hardware: 10, fido: 10, several: 10 } as const;
export type MfaChoice = keyof typeof HUMAN_MFA_MIX;

export const randomBytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(0, 255));

export const fidoSerial = (accountId: string, userName: string, name: string, id: string) =>
  `arn:aws:iam::${accountId}:u2f/user/${userName}/${name}-${id}`;
/**
 * The certifications GetMFADevice reports for a demo FIDO device, from its id (no draw from the plan's random
 * stream, so adding them changed no other part of the organisation): about half FIDO L1, a quarter FIDO L2 with
 * FIPS 140-3 L2, a quarter none (what a synced passkey or an unlisted key looks like).
 */
export function fidoCertifications(id: string): Record<string, string> {
  const n = id.charCodeAt(0) % 4;
  return n === 0 ? {} : n === 3 ? { FIDO: 'L2', 'FIPS-140-3': 'L2' } : { FIDO: 'L1' };
}

export const mfaStateOf = (devices: readonly unknown[], leftovers: readonly unknown[]): MfaState =>
  devices.length > 0 ? 'enabled' : leftovers.length > 0 ? 'leftover-only' : 'none';

/** Hardware serials are printed on physical tokens, so each one is unique across the whole organisation. */
export class SerialStock {
  private readonly used = new Set<string>();
  next(rng: Rng): string {
    for (;;) {
      const serial = `GAHT${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
      if (!this.used.has(serial)) {
        this.used.add(serial);
        return serial;
      }
    }
  }
}

export function planDevices(rng: Rng, accountId: string, userName: string, types: readonly DeviceType[], serials: SerialStock): GroundTruthDevice[] {
  let virtualCount = 0;
  return types.map((type) => {
    if (type === 'virtual') {
      virtualCount += 1;
      const name = virtualCount === 1 ? userName : `${userName}-${virtualCount}`;
      return { type, name, serial: virtualMfaArn(accountId, name) };
    }
    if (type === 'hardware') {
      const serial = serials.next(rng);
      return { type, name: serial, serial };
    }
    const name = rng.pick(FIDO_NAMES);
    const id = toBase32(randomBytes(rng, 16)).slice(0, 26);
    return { type, name, serial: fidoSerial(accountId, userName, name, id), certifications: fidoCertifications(id) };
  });
}

export function deviceTypesFor(rng: Rng, choice: MfaChoice): DeviceType[] {
  if (choice === 'none') return [];
  if (choice !== 'several') return [choice];
  const count = rng.chance(0.7) ? 2 : 3;
  for (;;) {
    const types = Array.from({ length: count }, () => rng.pick(['virtual', 'hardware', 'fido'] as const));
    if (new Set(types).size > 1) return types;
  }
}
