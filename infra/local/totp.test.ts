import { describe, expect, it } from 'vitest';
import { consecutiveCodes, decodeBase32, secretFromSeed, toBase32, totpAtStep, totpCode, totpStep } from './totp';

// RFC 6238 appendix B, SHA1 rows (the key is the ASCII "12345678901234567890"), last 6 of the 8 digits.
const RFC_SECRET = toBase32(Buffer.from('12345678901234567890', 'ascii'));
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('totp', () => {
  it('matches the RFC 6238 test vectors', () => {
    for (const [seconds, code] of RFC_VECTORS) expect(totpCode(RFC_SECRET, seconds * 1000), String(seconds)).toBe(code);
  });

  it('decodes base32 with or without padding, in either case', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 17]);
    const encoded = toBase32(bytes);
    expect(decodeBase32(encoded)).toEqual(bytes);
    expect(decodeBase32(`${encoded.toLowerCase()}======`)).toEqual(bytes);
    expect(() => decodeBase32('not base32!')).toThrow(/base32/);
  });

  it('gives consecutive codes ending at the current step, shifted by a step offset', () => {
    const at = 1_700_000_000_000;
    const step = totpStep(at);
    expect(consecutiveCodes(RFC_SECRET, at)).toEqual({
      AuthenticationCode1: totpAtStep(RFC_SECRET, step - 1),
      AuthenticationCode2: totpAtStep(RFC_SECRET, step),
    });
    expect(consecutiveCodes(RFC_SECRET, at, 5).AuthenticationCode2).toBe(totpAtStep(RFC_SECRET, step + 5));
    expect(totpCode(RFC_SECRET, at, -2)).toBe(totpAtStep(RFC_SECRET, step - 2));
  });

  it('reads a Base32StringSeed as the SDK returns it', () => {
    expect(secretFromSeed(new TextEncoder().encode('ABCDEF234567'))).toBe('ABCDEF234567');
    expect(secretFromSeed('ABCDEF')).toBe('ABCDEF');
  });
});
