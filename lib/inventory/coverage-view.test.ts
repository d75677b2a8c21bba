import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALL_DEVICE_TYPES, resolveProgram, type ProgramCategory } from '@/lib/program/resolve';
import { burndownSummary, coveragePct, expiredExceptionNote, isGap, remediationFor, remediationSentence, type InventoryRowLike } from './coverage-view';

const row = (over: Partial<InventoryRowLike> = {}): InventoryRowLike => ({
  consoleAccess: true,
  mfaState: 'none',
  flags: [],
  programGap: 'no-mfa',
  allowedDeviceTypes: [...ALL_DEVICE_TYPES],
  minDevices: 1,
  decision: 'required',
  exceptionExpired: false,
  expiresAt: null,
  ...over,
});

describe('gaps and remediation', () => {
  it('a gap is what the program says: in scope and not compliant', () => {
    expect(isGap(row())).toBe(true);
    expect(isGap(row({ programGap: 'disallowed-type', mfaState: 'enabled' }))).toBe(true);
    expect(isGap(row({ programGap: null }))).toBe(false);
    expect(isGap(row({ programGap: null, decision: 'exception' }))).toBe(false);
  });
  it('suggests the right remediation, service users first', () => {
    expect(remediationFor(row({ flags: ['service-with-console', 'stale-console'] }))).toBe('remove-console-password');
    expect(remediationFor(row({ mfaState: 'leftover-only' }))).toBe('re-enroll');
    expect(remediationFor(row({ flags: ['stale-console'] }))).toBe('remove-stale-user');
    expect(remediationFor(row())).toBe('enroll');
    expect(remediationFor(row({ mfaState: 'enabled', programGap: null, flags: ['stale-console'] }))).toBeNull();
  });
  it('asks for a device of an allowed type, or for a backup, when the category says so', () => {
    const virtualOnly = row({ mfaState: 'enabled', programGap: 'disallowed-type', allowedDeviceTypes: ['hardware', 'fido'], flags: ['stale-console'] });
    expect(remediationFor(virtualOnly)).toBe('enroll-allowed-type');
    expect(remediationSentence('enroll-allowed-type', virtualOnly)).toMatch(/^Enroll a device of an allowed type: hardware TOTP token, or security key or passkey; the current device type is not allowed in this category\.$/i);
    const single = row({ mfaState: 'enabled', programGap: 'needs-backup', minDevices: 2 });
    expect(remediationFor(single)).toBe('add-backup');
    const uncertified: InventoryRowLike = { ...single, programGap: 'not-certified', allowedDeviceTypes: ['fido'], minDevices: 1 };
    expect(remediationFor(uncertified)).toBe('enroll-certified-key');
    expect(remediationSentence('enroll-certified-key', uncertified)).toMatch(/^Register a certified security key \(FIDO certified, or FIPS 140-2\/140-3 validated\)/);
    expect(remediationSentence('add-backup', single)).toBe('Add a backup device: this category requires two.');
    expect(remediationSentence('add-backup', { ...single, minDevices: 3 })).toMatch(/requires 3 devices/);
  });
  it('says when an exception has expired', () => {
    const expired = row({ decision: 'exception', exceptionExpired: true, expiresAt: new Date('2026-03-01T00:00:00Z') });
    expect(expiredExceptionNote(expired)).toBe('The approved exception expired on 1 Mar 2026: MFA is required again.');
    expect(remediationSentence('enroll', expired)).toMatch(/^Enroll an MFA device .* expired on 1 Mar 2026/);
    expect(expiredExceptionNote(row())).toBeNull();
  });
  it('every gap the program finds has exactly one remediation and non-gaps none (property)', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const type = fc.constantFrom(...ALL_DEVICE_TYPES);
    const category = fc.record({
      allowedDeviceTypes: fc.uniqueArray(type, { minLength: 1, maxLength: 3 }),
      minDevices: fc.integer({ min: 1, max: 3 }),
      defaultDecision: fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const),
      expiresAt: fc.constantFrom(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')),
    });
    const user = fc.record({
      consoleAccess: fc.boolean(),
      devices: fc.array(fc.record({ type }), { maxLength: 3 }),
      leftover: fc.boolean(),
      flags: fc.subarray(['several-devices', 'service-with-console', 'stale-console', 'never-signed-in']),
    });
    fc.assert(
      fc.property(user, fc.option(category), (u, c) => {
        const categories: ProgramCategory[] = c
          ? [{ id: 1, name: 'c', position: 0, selectorKind: 'account', selectorKey: null, selectorValue: '111111111111', requireCertifiedKey: false, deadline: now, cohort: 'c', reason: null, approver: null, ...c }]
          : [];
        const s = resolveProgram({ accountId: '111111111111', path: '/', tags: {}, groups: [], consoleAccess: u.consoleAccess, devices: u.devices }, categories, null, now);
        const mfaState = u.devices.length > 0 ? 'enabled' : u.leftover ? 'leftover-only' : 'none';
        const r: InventoryRowLike = { consoleAccess: u.consoleAccess, mfaState, flags: u.flags, ...s };
        expect(remediationFor(r) !== null).toBe(isGap(r));
        expect(isGap(r)).toBe(s.inScope && !s.compliant);
      }),
    );
  });
  it('sums up a burndown in words, before and after the deadline', () => {
    const deadline = new Date('2026-07-01T00:00:00Z');
    expect(burndownSummary(0, deadline, new Date('2026-06-01T00:00:00Z'))).toBe('none remaining, 30 days left');
    expect(burndownSummary(12, deadline, new Date('2026-05-31T12:00:00Z'))).toBe('12 remaining, 31 days left');
    expect(burndownSummary(1, deadline, new Date('2026-06-30T00:00:00Z'))).toBe('1 remaining, 1 day left');
    expect(burndownSummary(1, deadline, new Date('2026-06-30T20:00:00Z'))).toBe('1 remaining, less than a day left');
    expect(burndownSummary(3, deadline, new Date('2026-07-03T01:00:00Z'))).toBe('3 remaining, overdue by 2 days');
    expect(burndownSummary(3, deadline, new Date('2026-07-01T05:00:00Z'))).toBe('3 remaining, deadline passed today');
    expect(burndownSummary(0, deadline, new Date('2026-07-02T00:00:00Z'))).toBe('none remaining; the deadline passed 1 day ago');
  });
  it('computes coverage with one decimal and 100% for an empty scope', () => {
    expect(coveragePct(2, 3)).toBe(66.7);
    expect(coveragePct(0, 0)).toBe(100);
  });
});
