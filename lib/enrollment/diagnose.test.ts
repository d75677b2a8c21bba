import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Secret, TOTP } from 'otpauth';
import { diagnoseCodes, diagnosisMessage } from './diagnose';

const secret = new Secret({ size: 20 });
const secretBase32 = secret.base32;
const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
const now = Date.UTC(2026, 10, 26, 12, 0, 10);
const step = Math.floor(now / 30_000);
const code = (offset: number) => totp.generate({ timestamp: (step + offset) * 30_000 });

describe('diagnoseCodes', () => {
  it('accepts the previous and current code, and the current and next', () => {
    expect(diagnoseCodes({ secretBase32, code1: code(-1), code2: code(0), now })).toEqual({ kind: 'accepted', stepOffset: -1 });
    expect(diagnoseCodes({ secretBase32, code1: code(0), code2: code(1), now })).toEqual({ kind: 'accepted', stepOffset: 0 });
    expect(diagnoseCodes({ secretBase32, code1: code(-3), code2: code(-2), now })).toEqual({ kind: 'accepted', stepOffset: -3 });
  });

  it('reports a phone clock behind, with roughly how far', () => {
    const d = diagnoseCodes({ secretBase32, code1: code(-11), code2: code(-10), now });
    expect(d).toEqual({ kind: 'drift', stepOffset: -11, seconds: 300, direction: 'behind' });
    expect(diagnosisMessage(d as never)).toMatch(/about 5 minutes behind/);
  });

  it('reports a phone clock ahead', () => {
    const d = diagnoseCodes({ secretBase32, code1: code(2), code2: code(3), now });
    expect(d).toEqual({ kind: 'drift', stepOffset: 2, seconds: 90, direction: 'ahead' });
    expect(diagnosisMessage(d as never)).toMatch(/ahead/);
  });

  it('tells valid but non-consecutive codes apart', () => {
    expect(diagnoseCodes({ secretBase32, code1: code(0), code2: code(-1), now }).kind).toBe('not-consecutive');
    expect(diagnoseCodes({ secretBase32, code1: code(-3), code2: code(0), now }).kind).toBe('not-consecutive');
  });

  it('says no-match for codes of another secret or garbage', () => {
    const other = new TOTP({ secret: new Secret({ size: 20 }), digits: 6, period: 30 });
    const o = (k: number) => other.generate({ timestamp: (step + k) * 30_000 });
    const d = diagnoseCodes({ secretBase32, code1: o(-1), code2: o(0), now });
    // A random other secret can collide by chance (1 in 10^6 per step); the pair almost never does.
    expect(d.kind).not.toBe('accepted');
    expect(diagnoseCodes({ secretBase32, code1: '000000', code2: 'abcdef', now }).kind).not.toBe('accepted');
  });

  it('accepts exactly the consecutive pairs in the window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), (k) => {
        const d = diagnoseCodes({ secretBase32, code1: code(k), code2: code(k + 1), now });
        if (k >= -3 && k <= 0) expect(d).toEqual({ kind: 'accepted', stepOffset: k });
        else if (Math.abs(k) <= 40) expect(d.kind === 'drift' && d.stepOffset === k).toBe(true);
        else expect(d.kind).not.toBe('accepted');
      }),
      { numRuns: 200 },
    );
  });
});
