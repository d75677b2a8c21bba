import { createHmac } from 'node:crypto';

/**
 * RFC 6238 TOTP as IAM uses it (HMAC-SHA1, 6 digits, 30-second steps), for the seed and for tests that play
 * the user's authenticator app or hardware token. moto_fidelity.py checks codes with the same algorithm.
 */

export const TOTP_STEP_MS = 30_000;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

export function decodeBase32(secret: string): Buffer {
  const clean = secret.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not a base32 secret (character '${char}')`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The TOTP step a moment falls in. */
export const totpStep = (atMs: number = Date.now()) => Math.floor(atMs / TOTP_STEP_MS);

/** The code for one step. */
export function totpAtStep(secretBase32: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', decodeBase32(secretBase32)).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return String(value).padStart(DIGITS, '0');
}

/**
 * The code a device shows at `atMs` (default now); `stepOffset` shifts the device's clock by whole steps
 * (negative: a device that runs slow, or a code read that long ago).
 */
export const totpCode = (secretBase32: string, atMs: number = Date.now(), stepOffset = 0): string =>
  totpAtStep(secretBase32, totpStep(atMs) + stepOffset);

/** Two consecutive codes, as EnableMFADevice and ResyncMFADevice want them: the previous and the current one. */
export function consecutiveCodes(secretBase32: string, atMs: number = Date.now(), stepOffset = 0) {
  const step = totpStep(atMs) + stepOffset;
  return { AuthenticationCode1: totpAtStep(secretBase32, step - 1), AuthenticationCode2: totpAtStep(secretBase32, step) };
}

/** CreateVirtualMFADevice's Base32StringSeed is the base32 secret's ASCII bytes (base64 on the wire, bytes in the SDK). */
export const secretFromSeed = (seed: Uint8Array | string): string =>
  typeof seed === 'string' ? seed : Buffer.from(seed).toString('ascii');
