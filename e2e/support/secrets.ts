import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random base32 TOTP secret: codes from it stand for "some other device". */
export function base32Secret(bytes = 20): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of randomBytes(bytes)) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
