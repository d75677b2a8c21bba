import { MAX_DEVICES_PER_USER } from './messages';
import { plural } from '@/lib/format';

/**
 * What the portal says about a second device, the same words on the done page, the member's overview, My devices and
 * the enroll page: how many of the devices AWS allows the IAM user has, and how strongly a backup is urged.
 *
 * - `first`: no device yet (the page's own "Set up MFA" says the rest).
 * - `required`: the category requires more devices of an allowed type than the user has.
 * - `recommended`: one device and nothing requires more: losing it locks the person out.
 * - `full`: AWS's limit is reached; enrolling is refused until a device is removed.
 * - `enough`: two or more devices, below the limit.
 */
export type BackupLevel = 'first' | 'required' | 'recommended' | 'full' | 'enough';

export type BackupAdvice = { level: BackupLevel; count: number; max: number; headline: string; text: string; canEnroll: boolean };

/** `program`: the category's rule and how many of the user's devices count towards it, when the program could be read. */
export function backupAdvice(userName: string, count: number, program?: { minDevices: number; allowedDevices: number } | null): BackupAdvice {
  const max = MAX_DEVICES_PER_USER;
  const headline = `${userName} has ${count} of the ${max} MFA devices AWS allows.`;
  const base = { count, max, headline, canEnroll: count < max };
  if (count >= max) {
    return { ...base, level: 'full', text: fullReason(userName) };
  }
  if (count === 0) return { ...base, level: 'first', text: 'No MFA device yet: set one up first.' };
  if (program && program.minDevices >= 2 && program.allowedDevices < program.minDevices) {
    const missing = program.minDevices - program.allowedDevices;
    return {
      ...base,
      level: 'required',
      text: `Your category requires ${plural(program.minDevices, 'device')} of an allowed type: add ${missing === 1 ? 'a backup device' : plural(missing, 'more device')} now. Until then this IAM user does not meet the MFA program.`,
    };
  }
  if (count === 1) {
    return {
      ...base,
      level: 'recommended',
      text: 'Only one device: if you lose it, you cannot sign in until an administrator helps you. Add a backup device (another app, a hardware token or a security key).',
    };
  }
  return { ...base, level: 'enough', text: `You have a backup. You can add up to ${plural(max - count, 'more device')}.` };
}

/** Why enrolling is not offered when the limit is reached: said next to every disabled enroll button. */
export const fullReason = (userName: string) =>
  `${userName} already has ${MAX_DEVICES_PER_USER} MFA devices, the most AWS allows. Remove one you no longer use on My devices to add another.`;
