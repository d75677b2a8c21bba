import { z } from 'zod';
import { IAM_NAME_CHARS } from '@/lib/iam-identifiers';

/** AWS: VirtualMFADeviceName is 1-226 of letters, digits and _+=,.@- ; we keep names short enough to read. */
export const deviceNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the device a name, e.g. alice-phone.')
  .max(64, 'Keep the name to 64 characters or fewer.')
  .regex(IAM_NAME_CHARS, 'Use only letters, digits and _ + = , . @ - (no spaces).');

/** AWS: a hardware token's SerialNumber is 9-256 characters of [\w+=/:,.@-]; it is the serial printed on the token, not an ARN. */
export const hardwareSerialSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(
    z
      .string()
      .min(9, 'A token serial is at least 9 characters; copy it from the back of the token.')
      .max(256, 'That is too long for a token serial.')
      .regex(/^[\w+=/:,.@-]+$/, 'A token serial has only letters, digits and _+=/:,.@- (no spaces).')
      .refine((s) => !s.startsWith('ARN:'), 'Enter the serial printed on the token, not an ARN.'),
  );

export const otpCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Enter the 6-digit code shown by the device.');

/** Consecutive codes must not be the same code twice. */
export const codePairSchema = z
  .object({ code1: otpCodeSchema, code2: otpCodeSchema })
  .refine((v) => v.code1 !== v.code2, { path: ['code2'], message: 'Wait for the code to change, then enter the new one.' });

/** The default device name for a user: unique enough, readable in the console. */
export function defaultDeviceName(userName: string, taken: readonly string[] = []): string {
  const base = `${userName.replace(/[^\w+=,.@-]/g, '-').slice(0, 50)}-app`;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; i < 1000; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
  return `${base}-${Date.now().toString(36)}`;
}
