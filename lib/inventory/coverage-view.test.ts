import { describe, expect, it } from 'vitest';
import { daysAgo, FACTS_NOW, userFacts } from '@/test-support/user-facts';
import fc from 'fast-check';
import { ALL_DEVICE_TYPES, resolveProgram, type ProgramCategory } from '@/lib/program/resolve';
import { toMfaDevice } from '@/lib/aws/mfa-devices';
import { classify, DEFAULT_FLAG_RULES, INVENTORY_FLAGS, type FlagRules } from './classify';
import { burndownSummary, coveragePct, expiredExceptionNote, isGap, remediationFor, remediationSentence, userVerdict, type InventoryRowLike } from './coverage-view';
import { toCsvLine, toJsonRecord, csvHeader, type ExportRow } from './export';
import { buildValidationReport, type ReportUser } from './report-model';
import { parseCsv } from '@/test-support/csv';

const NOW = FACTS_NOW;
const facts = userFacts;

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

const deviceType = fc.constantFrom(...ALL_DEVICE_TYPES);
/** A category's rules as the property tests vary them: allowed types, 1 to `maxDevices` devices, decision, expiry. */
const categoryRules = (maxDevices: number) =>
  fc.record({
    allowedDeviceTypes: fc.uniqueArray(deviceType, { minLength: 1, maxLength: 3 }),
    minDevices: fc.integer({ min: 1, max: maxDevices }),
    defaultDecision: fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const),
    expiresAt: fc.constantFrom(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')),
  });

describe('gaps and remediation', () => {
  it('a gap is what the program says: in scope and not compliant', () => {
    expect(isGap(row())).toBe(true);
    expect(isGap(row({ programGap: 'disallowed-type', mfaState: 'enabled' }))).toBe(true);
    expect(isGap(row({ programGap: null }))).toBe(false);
    expect(isGap(row({ programGap: null, decision: 'exception' }))).toBe(false);
  });
  it('suggests the right remediation: "remove the password" only for a marked service user', () => {
    expect(remediationFor(row({ flags: ['service-with-console', 'stale-console'] }))).toBe('remove-console-password');
    expect(remediationFor(row({ mfaState: 'leftover-only' }))).toBe('re-enroll');
    expect(remediationFor(row({ flags: ['stale-console'] }))).toBe('confirm-stale-console');
    expect(remediationFor(row())).toBe('enroll');
    expect(remediationFor(row({ mfaState: 'enabled', programGap: null, flags: ['stale-console'] }))).toBeNull();
    // A hint is not a verdict: a possible service user is still told to add MFA.
    expect(remediationFor(row({ flags: ['possible-service-user'] }))).toBe('enroll');
    expect(remediationFor(row({ flags: ['possible-service-user', 'never-signed-in', 'stale-console'] }))).toBe('confirm-stale-console');
    // Created minutes ago: add MFA, nothing about removing anything.
    expect(remediationFor(row({ flags: ['not-signed-in-yet'] }))).toBe('enroll');
  });
  it('stale advice is what a human admin would do, with the evidence', () => {
    const stale = classify(facts({ passwordLastUsed: daysAgo(120) }), NOW);
    const r = row({ flags: stale.flags, flagEvidence: stale.flagEvidence });
    expect(remediationSentence(remediationFor(r)!, r)).toBe(
      'Console access unused (password last used 1 Feb 2026 (120 days before 1 Jun 2026); created 27 Apr 2025 (400 days ago)): confirm with the owner whether they still need it. If not, remove the console password (or the user); if they do, they enroll an MFA device.',
    );
    // Without stored evidence (an old row) the advice stays the same, in general words.
    expect(remediationSentence('confirm-stale-console', row({ flags: ['stale-console'] }))).toMatch(/^Console access looks unused: confirm with the owner/);
  });
  it('the verdict: status, status line, advice and notes from one derivation', () => {
    expect(userVerdict(row())).toEqual({ status: 'gap', statusText: 'Gap: No MFA device', remediation: 'enroll', advice: 'Enroll an MFA device (the owner signs in to the portal).', notes: [] });
    expect(userVerdict(row({ programGap: null, mfaState: 'enabled' }))).toMatchObject({ status: 'compliant', statusText: 'Compliant', remediation: null, advice: null });
    expect(userVerdict(row({ programGap: null, consoleAccess: false }))).toMatchObject({ status: 'no-console', remediation: null });
    expect(userVerdict(row({ programGap: null, decision: 'out-of-scope' }))).toMatchObject({ status: 'out-of-scope', statusText: 'Out of scope' });
    expect(userVerdict(row({ programGap: null, decision: 'exception' }))).toMatchObject({ status: 'exception' });
    const fresh = classify(facts({ passwordLastUsed: null, createdAt: new Date(NOW.getTime() - 10 * 60_000) }), NOW);
    expect(userVerdict(row({ flags: fresh.flags, flagEvidence: fresh.flagEvidence }))).toMatchObject({
      status: 'gap',
      remediation: 'enroll',
      notes: ['Not signed in yet: created 31 May 2026 (0 days ago); no console sign-in yet; stale from 29 Aug 2026 if still unused.'],
    });
    const candidate = classify(facts({ userName: 'ci-deploy' }), NOW);
    const v = userVerdict(row({ flags: candidate.flags, flagEvidence: candidate.flagEvidence }));
    expect(v.remediation).toBe('enroll');
    expect(v.notes[0]).toMatch(/^Possibly a service user: the name contains "ci"\. If it is one, mark it/);
  });
  it('carol (a human admin with keys, signed in lately) is told to add MFA, and the status says the same', () => {
    const rules: FlagRules = { ...DEFAULT_FLAG_RULES, serviceMarkers: { tags: [{ key: 'kind', value: 'service' }], paths: [], groups: [] } };
    const carol = classify(facts({ userName: 'carol', groups: ['mfa-portal-admins', 'operators'], accessKeyLastUsed: daysAgo(1), passwordLastUsed: daysAgo(3) }), NOW, rules);
    const v = userVerdict(row({ flags: carol.flags, flagEvidence: carol.flagEvidence }));
    expect(v).toMatchObject({ status: 'gap', statusText: 'Gap: No MFA device', remediation: 'enroll', notes: [] });
    expect(v.advice).not.toMatch(/remove/i);
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
    const now = NOW;
    const type = deviceType;
    const category = categoryRules(3);
    const user = fc.record({
      consoleAccess: fc.boolean(),
      devices: fc.array(fc.record({ type }), { maxLength: 3 }),
      leftover: fc.boolean(),
      flags: fc.subarray([...INVENTORY_FLAGS]),
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
  it('the status line, the banner, the gap list, the report and the exports never disagree about a user (property)', () => {
    const type = deviceType;
    const day = fc.option(fc.integer({ min: 0, max: 800 }).map(daysAgo), { nil: null });
    const category = categoryRules(2);
    const user = fc.record({
      userName: fc.constantFrom('carol', 'svc-billing', 'ci-deploy', 'alice.martin', 'terraform-prod'),
      consoleAccess: fc.boolean(),
      devices: fc.array(type, { maxLength: 3 }),
      leftover: fc.boolean(),
      createdAt: day,
      passwordLastUsed: day,
      accessKeyLastUsed: day,
      kindTag: fc.constantFrom(null, 'service', 'human'),
    });
    const rules: FlagRules = { staleDays: 90, serviceMarkers: { tags: [{ key: 'kind', value: 'service' }], paths: [], groups: [] } };
    const serialOf = (t: string, i: number) => (t === 'virtual' ? `arn:aws:iam::111111111111:mfa/u-${i}` : t === 'fido' ? `arn:aws:iam::111111111111:u2f/user/u/k-${i}` : `GAHT0000000${i}`);
    fc.assert(
      fc.property(user, fc.option(category), (u, c) => {
        const classified = classify(
          facts({
            userName: u.userName,
            consoleAccess: u.consoleAccess,
            createdAt: u.createdAt,
            passwordLastUsed: u.passwordLastUsed,
            accessKeyLastUsed: u.accessKeyLastUsed,
            tags: u.kindTag ? { kind: u.kindTag } : {},
            devices: u.devices.map((t, i) => toMfaDevice(serialOf(t, i), null)),
            leftoverDevices: u.leftover ? ['arn:aws:iam::111111111111:mfa/left'] : [],
          }),
          NOW,
          rules,
        );
        const categories: ProgramCategory[] = c
          ? [{ id: 1, name: 'c', position: 0, selectorKind: 'account', selectorKey: null, selectorValue: '111111111111', deadline: NOW, cohort: 'c', reason: null, approver: null, requireCertifiedKey: false, ...c }]
          : [];
        const s = resolveProgram({ accountId: '111111111111', path: '/', tags: classified.tags, groups: [], consoleAccess: u.consoleAccess, devices: classified.devices }, categories, null, NOW);
        const reportUser: ReportUser = {
          accountId: '111111111111',
          userName: u.userName,
          consoleAccess: classified.consoleAccess,
          mfaState: classified.mfaState,
          flags: classified.flags,
          flagEvidence: classified.flagEvidence,
          devices: classified.devices,
          categoryId: s.category?.id ?? null,
          categoryName: s.category?.name ?? null,
          decidedBy: null,
          ...s,
        };
        // The user page's banner and status line, and the dashboard's gap list, render this verdict.
        const verdict = userVerdict(reportUser);
        expect(verdict.status === 'gap').toBe(s.inScope && !s.compliant);
        expect(verdict.status === 'compliant').toBe(s.inScope && s.compliant);
        if (!u.consoleAccess) expect(verdict.status).toBe('no-console');
        // The report lists exactly the gaps, with the same advice and notes.
        const report = buildValidationReport([reportUser], [], NOW, NOW);
        expect(report.gaps.length).toBe(verdict.status === 'gap' ? 1 : 0);
        if (report.gaps[0]) {
          expect(report.gaps[0]).toMatchObject({ remediation: verdict.remediation, remediationText: verdict.advice, notes: verdict.notes, flags: classified.flags, flagEvidence: classified.flagEvidence });
        }
        // The exports carry the same status and advice.
        const exportRow: ExportRow = {
          ...reportUser,
          flagEvidence: classified.flagEvidence,
          arn: classified.arn,
          createdAt: classified.createdAt,
          passwordLastUsed: classified.passwordLastUsed,
          tags: classified.tags,
          groups: [],
          devices: classified.devices,
          categorySource: s.category ? 'selector' : 'none',
          expiresAt: s.expiresAt ? new Date(s.expiresAt) : null,
        };
        expect(toJsonRecord(exportRow)).toMatchObject({ status: verdict.status, remediation: verdict.remediation, advice: verdict.advice, notes: verdict.notes });
        const header = csvHeader().split(',');
        const line = parseCsv(toCsvLine(exportRow))[0]!;
        expect(line[header.indexOf('status')]).toBe(verdict.status);
        // "Remove the password" is said only of a user the organisation marks as a service user.
        if (verdict.remediation === 'remove-console-password') expect(u.kindTag).toBe('service');
        if (u.kindTag !== 'service') expect(verdict.advice ?? '').not.toMatch(/Marked as a service user/);
        // Created within the window: never stale advice.
        if (classified.flags.includes('not-signed-in-yet')) expect(verdict.remediation).not.toBe('confirm-stale-console');
      }),
      { numRuns: 300 },
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
