import { describe, expect, it } from 'vitest';
import { resolveProgram, type ProgramCategory, type UserDecision } from '@/lib/program/resolve';
import { buildValidationReport, signInTestText, toValidationReport, type ReportEvent, type ReportUser } from './report-model';

const NOW = new Date('2026-06-01T00:00:00Z');
const A = '111111111111';

const category = (over: Partial<ProgramCategory> & Pick<ProgramCategory, 'id' | 'name'>): ProgramCategory => ({
  position: over.id,
  selectorKind: 'group',
  selectorKey: null,
  selectorValue: over.name,
  requireCertifiedKey: false,
  defaultDecision: 'required',
  allowedDeviceTypes: ['virtual', 'hardware', 'fido'],
  minDevices: 1,
  deadline: new Date('2026-09-01T00:00:00Z'),
  cohort: over.name,
  reason: null,
  approver: null,
  expiresAt: null,
  ...over,
});

const admins = category({ id: 1, name: 'admins', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2 });
const contractors = category({ id: 2, name: 'contractors', defaultDecision: 'exception', reason: 'short engagement', approver: 'ciso@example.com', expiresAt: new Date('2026-12-31T00:00:00Z') });
const categories = [admins, contractors];

type Facts = { consoleAccess?: boolean; mfaState?: ReportUser['mfaState']; flags?: string[]; groups?: string[]; devices?: ReportUser['devices'] };

function u(userName: string, facts: Facts = {}, decision: UserDecision | null = null): ReportUser {
  const f = { consoleAccess: true, groups: [], devices: [], flags: [], ...facts };
  const mfaState = f.mfaState ?? (f.devices.length > 0 ? 'enabled' : 'none');
  const s = resolveProgram({ accountId: A, path: '/', tags: {}, groups: f.groups, consoleAccess: f.consoleAccess, devices: f.devices }, categories, decision, NOW);
  return {
    accountId: A,
    userName,
    consoleAccess: f.consoleAccess,
    mfaState,
    flags: f.flags,
    devices: f.devices,
    categoryId: s.category?.id ?? null,
    categoryName: s.category?.name ?? null,
    decidedBy: decision ? 'dave@example.com' : null,
    ...s,
  };
}

const decided = (over: Partial<UserDecision>): UserDecision => ({ categoryId: null, decision: null, reason: null, approver: null, expiresAt: null, ...over });

const e = (userName: string, kind: string, serial: string, at: number, outcome: 'success' | 'failure' = 'success', deviceType: ReportEvent['deviceType'] = 'virtual'): ReportEvent => ({
  at: new Date(at),
  accountId: A,
  userName,
  kind,
  outcome,
  serial,
  deviceType,
  reason: outcome === 'failure' ? 'ConsoleSignInFailed' : null,
});

describe('validation report', () => {
  const users = [
    u('a', { devices: [{ serial: `arn:aws:iam::${A}:mfa/a`, type: 'virtual' }] }),
    u('b', { devices: [{ serial: 'GAHT00000001', type: 'hardware' }] }),
    u('c'),
    u('svc-x', { flags: ['service-with-console'] }),
    u('d', { mfaState: 'leftover-only' }),
    u('api', { consoleAccess: false }),
    // admins: hardware or FIDO, two of them
    u('root-ish', { groups: ['admins'], devices: [{ serial: `arn:aws:iam::${A}:mfa/root-ish`, type: 'virtual' }] }),
    u('half', { groups: ['admins'], devices: [{ serial: 'GAHT00000002', type: 'hardware' }] }),
    u('safe', { groups: ['admins'], devices: [{ serial: 'GAHT00000003', type: 'hardware' }, { serial: 'fido-1', type: 'fido' }] }),
    // exceptions: the category's, a user's own still in force, a user's own that expired
    u('contractor', { groups: ['contractors'] }),
    // Approved through a request: the record's date travels with the approver.
    { ...u('waived', {}, decided({ decision: 'exception', reason: 'leaving in June', approver: 'ciso@example.com', expiresAt: new Date('2026-07-01T00:00:00Z') })), approvedAt: new Date('2026-03-02T10:00:00Z') },
    u('lapsed', {}, decided({ decision: 'exception', reason: 'migration', approver: 'ciso@example.com', expiresAt: new Date('2026-05-01T00:00:00Z') })),
    u('gone-soon', {}, decided({ decision: 'out-of-scope', reason: 'to be removed' })),
    u('api-exception', { consoleAccess: false }, decided({ decision: 'exception', reason: 'x', approver: 'y', expiresAt: new Date('2027-01-01T00:00:00Z') })),
  ];
  const events = [
    e('a', 'virtual.enabled', `arn:aws:iam::${A}:mfa/a`, 1000),
    e('a', 'device.test-console', `arn:aws:iam::${A}:mfa/a`, 2000, 'failure'),
    e('a', 'device.test-cli', `arn:aws:iam::${A}:mfa/a`, 3000),
    e('b', 'hardware.enable', 'GAHT00000001', 1500, 'success', 'hardware'),
    e('gone', 'virtual.enabled', `arn:aws:iam::${A}:mfa/gone`, 500),
  ];
  const r = buildValidationReport(users, events, new Date(5000), new Date(4000));

  it('counts in scope (exceptions and out-of-scope users leave it, expired exceptions return), compliant and gaps', () => {
    // in scope: a b c svc-x d root-ish half safe lapsed; compliant: a b safe
    expect(r.totals).toEqual({ inScope: 9, enabled: 3, exceptions: 2, expiredExceptions: 1, outOfScope: 1, gaps: 6, coveragePct: 33.3 });
  });
  it('lists each gap with the program gap and its remediation', () => {
    expect(r.gaps.map((g) => [g.userName, g.programGap, g.remediation])).toEqual([
      ['c', 'no-mfa', 'enroll'],
      ['d', 'no-mfa', 're-enroll'],
      ['half', 'needs-backup', 'add-backup'],
      ['lapsed', 'no-mfa', 'enroll'],
      ['root-ish', 'disallowed-type', 'enroll-allowed-type'],
      ['svc-x', 'no-mfa', 'remove-console-password'],
    ]);
    const rootish = r.gaps.find((g) => g.userName === 'root-ish')!;
    expect(rootish).toMatchObject({ category: 'admins', cohort: 'admins', deadline: '2026-09-01T00:00:00.000Z' });
    expect(rootish.remediationText).toMatch(/^Enroll a device of an allowed type: hardware TOTP token, or security key or passkey; the current device type is not allowed in this category\.$/i);
    expect(r.gaps.find((g) => g.userName === 'lapsed')!.remediationText).toMatch(/exception expired on 1 May 2026/);
  });
  it('keeps the exception register of console users: user- and category-level, approver and when they approved, expiry, expired flagged', () => {
    expect(r.exceptions).toEqual([
      { accountId: A, userName: 'contractor', level: 'category', category: 'contractors', justification: 'short engagement', approver: 'ciso@example.com', approvedAt: null, expiresAt: '2026-12-31T00:00:00.000Z', expired: false },
      { accountId: A, userName: 'lapsed', level: 'user', category: null, justification: 'migration', approver: 'ciso@example.com', approvedAt: null, expiresAt: '2026-05-01T00:00:00.000Z', expired: true },
      { accountId: A, userName: 'waived', level: 'user', category: null, justification: 'leaving in June', approver: 'ciso@example.com', approvedAt: '2026-03-02T10:00:00.000Z', expiresAt: '2026-07-01T00:00:00.000Z', expired: false },
    ]);
  });
  it('lists out-of-scope console users with the reason and who decided', () => {
    expect(r.outOfScope).toEqual([{ accountId: A, userName: 'gone-soon', level: 'user', category: null, reason: 'to be removed', decidedBy: 'dave@example.com' }]);
  });
  it('reports the latest sign-in test of each newly enrolled device still present', () => {
    expect(r.signInTests.map((t) => [t.userName, t.deviceType, t.test && [t.test.kind, t.test.passed]])).toEqual([
      ['b', 'hardware', null],
      ['a', 'virtual', ['cli', true]],
    ]);
  });
  it('names the device types still lacking a passed test', () => {
    expect(r.untestedDeviceTypes).toEqual(['hardware']);
  });
  it('uses CloudTrail console sign-in evidence after the enrollment over the recorded tests, and says which', () => {
    const withEvidence = buildValidationReport(users, events, new Date(5000), new Date(4000), [], [], [
      // b signed in with MFA after enrolling; a's sign-in was before its device's enrollment and proves nothing about it.
      { accountId: A, userName: 'b', mfaSeenAt: new Date(1600) },
      { accountId: A, userName: 'a', mfaSeenAt: new Date(900) },
    ]);
    expect(withEvidence.signInTests.map((t) => [t.userName, t.test && [t.test.kind, t.test.passed, t.test.source, t.test.at.getTime()]])).toEqual([
      ['b', ['console', true, 'cloudtrail', 1600]],
      ['a', ['cli', true, 'portal', 3000]],
    ]);
    expect(withEvidence.untestedDeviceTypes).toEqual([]);
    expect(signInTestText(withEvidence.signInTests[0]!.test)).toBe('Console sign-in with MFA seen at 1 Jan 1970, 00:00 UTC (CloudTrail)');
    expect(signInTestText({ kind: 'console', passed: false, at: new Date(0), reason: 'ConsoleSignInFailed', source: 'self-reported' })).toBe(
      'Console (self-reported): failed (ConsoleSignInFailed)',
    );
    expect(signInTestText(null)).toBe('Not tested yet');
  });
  it("counts CloudTrail evidence from the enrollment's own second (eventTime has whole seconds), not from the second before", () => {
    const evidenceAt = (ms: number) =>
      buildValidationReport(users, events, new Date(5000), new Date(4000), [], [], [{ accountId: A, userName: 'b', mfaSeenAt: new Date(ms) }]).signInTests.find((t) => t.userName === 'b')!.test;
    // b's hardware token was enabled at 1,500 ms: CloudTrail writes a sign-in 600 ms later as 1,000 ms.
    expect(evidenceAt(1000)).toMatchObject({ source: 'cloudtrail', at: new Date(1000) });
    expect(evidenceAt(999)).toBeNull();
  });
  it('reads reports stored before the program with empty registers and generic remediation text', () => {
    const content = {
      generatedAt: '2026-01-01T00:00:00.000Z',
      inventoryAsOf: null,
      totals: { inScope: 2, enabled: 1, exceptions: 0, outOfScope: 0, gaps: 1, coveragePct: 50 },
      exceptions: [],
      gaps: [{ accountId: A, userName: 'c', mfaState: 'none', flags: [], remediation: 'enroll' }],
      signInTests: [],
      untestedDeviceTypes: ['virtual', 'hardware'],
    };
    const old = toValidationReport(content);
    expect(old.totals.expiredExceptions).toBe(0);
    expect(old.outOfScope).toEqual([]);
    expect(old.gaps[0]).toMatchObject({ programGap: 'no-mfa', category: null, remediationText: 'Enroll an MFA device (the owner signs in to the portal).', flagEvidence: [], notes: [] });
    // A remediation code this version no longer gives still reads as it did.
    const older = toValidationReport({ ...content, gaps: [{ accountId: A, userName: 'c', mfaState: 'none', flags: ['stale-console'], remediation: 'remove-stale-user' }] });
    expect(older.gaps[0]!.remediationText).toBe('Console access unused for 90 days or never: remove the console password, or the user.');
  });

  it('lists each account\'s root user: no root credentials is not applicable, no MFA is a gap', () => {
    const r = buildValidationReport([], [], NOW, null, [
      { accountId: '333333333333', status: 'mfa' },
      { accountId: '111111111111', status: 'no-mfa' },
      { accountId: '222222222222', status: 'no-root-credentials' },
      { accountId: '444444444444', status: null },
    ]);
    expect(r.rootUsers).toEqual([
      { accountId: '111111111111', status: 'no-mfa', gap: true },
      { accountId: '222222222222', status: 'no-root-credentials', gap: false },
      { accountId: '333333333333', status: 'mfa', gap: false },
      { accountId: '444444444444', status: 'not-reported', gap: false },
    ]);
    expect(toValidationReport({ generatedAt: NOW.toISOString(), inventoryAsOf: null, signInTests: [], untestedDeviceTypes: [] }).rootUsers).toEqual([]);
  });

  it('names the unreachable accounts (their users unknown, not in the totals); older stored reports have none', () => {
    const r = buildValidationReport([], [], NOW, null, [], [{ accountId: '555555555555', reason: 'AccessDenied (AccessDenied)' }]);
    expect(r.unreachableAccounts).toEqual([{ accountId: '555555555555', reason: 'AccessDenied (AccessDenied)' }]);
    expect(r.totals.inScope).toBe(0);
    expect(toValidationReport({ generatedAt: NOW.toISOString(), inventoryAsOf: null, signInTests: [], untestedDeviceTypes: [] }).unreachableAccounts).toEqual([]);
  });
});
