import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coveragePct, isGap, remediationFor } from './coverage-view';

describe('gaps and remediation', () => {
  it('a console user without MFA is a gap; with MFA or without a console, not', () => {
    expect(isGap({ consoleAccess: true, mfaState: 'none', flags: [] })).toBe(true);
    expect(isGap({ consoleAccess: true, mfaState: 'leftover-only', flags: [] })).toBe(true);
    expect(isGap({ consoleAccess: true, mfaState: 'enabled', flags: [] })).toBe(false);
    expect(isGap({ consoleAccess: false, mfaState: 'none', flags: [] })).toBe(false);
  });
  it('suggests the right remediation, service users first', () => {
    expect(remediationFor({ consoleAccess: true, mfaState: 'none', flags: ['service-with-console', 'stale-console'] })).toBe('remove-console-password');
    expect(remediationFor({ consoleAccess: true, mfaState: 'leftover-only', flags: [] })).toBe('re-enroll');
    expect(remediationFor({ consoleAccess: true, mfaState: 'none', flags: ['stale-console'] })).toBe('remove-stale-user');
    expect(remediationFor({ consoleAccess: true, mfaState: 'none', flags: [] })).toBe('enroll');
    expect(remediationFor({ consoleAccess: true, mfaState: 'enabled', flags: ['stale-console'] })).toBeNull();
  });
  it('every gap has exactly one remediation and non-gaps none (property)', () => {
    const row = fc.record({
      consoleAccess: fc.boolean(),
      mfaState: fc.constantFrom('enabled' as const, 'none' as const, 'leftover-only' as const),
      flags: fc.subarray(['several-devices', 'service-with-console', 'stale-console', 'never-signed-in']),
    });
    fc.assert(
      fc.property(row, (r) => {
        expect(remediationFor(r) !== null).toBe(isGap(r));
      }),
    );
  });
  it('computes coverage with one decimal and 100% for an empty scope', () => {
    expect(coveragePct(2, 3)).toBe(66.7);
    expect(coveragePct(0, 0)).toBe(100);
  });
});
