import type { ValidationReport } from '@/lib/inventory/report-model';

const A = '111111111111';
const B = '222222222222';

// Every section has rows, and the text has what breaks naive CSV/XLSX writers: commas, quotes, line breaks, a
// leading formula character, non-ASCII.
export const sampleReport: ValidationReport = {
  generatedAt: '2026-06-01T10:00:00.000Z',
  inventoryAsOf: '2026-06-01T09:30:00.000Z',
  totals: { inScope: 4, enabled: 1, exceptions: 1, expiredExceptions: 1, outOfScope: 1, gaps: 3, coveragePct: 25 },
  exceptions: [
    { accountId: A, userName: 'break-glass', level: 'user', category: null, justification: 'Sealed envelope, "in the safe"\nsecond line', approver: 'Dave Kowalski (security)', expiresAt: '2026-12-01T00:00:00.000Z', expired: false },
    { accountId: B, userName: 'contractor-1', level: 'category', category: 'Contractors', justification: '=HYPERLINK("http://x")', approver: null, expiresAt: '2026-05-01T00:00:00.000Z', expired: true },
  ],
  outOfScope: [{ accountId: A, userName: 'ci-bot', level: 'user', category: 'Production', reason: 'Automation, no person', decidedBy: 'zoë@example.com' }],
  gaps: [
    { accountId: A, userName: 'alice', mfaState: 'none', flags: [], category: 'Production', cohort: 'prod', deadline: '2026-07-01T17:00:00.000Z', programGap: 'no-mfa', remediation: 'enroll', remediationText: 'Enroll an MFA device (the owner signs in to the portal).', flagEvidence: [], notes: [] },
    { accountId: A, userName: 'bob', mfaState: 'enabled', flags: ['several-devices', 'never-signed-in'], category: 'Operators', cohort: 'operators', deadline: null, programGap: 'needs-backup', remediation: 'add-backup', remediationText: 'Add a backup device: this category requires two.', flagEvidence: [{ flag: 'never-signed-in', rule: 'console password never used, by a user older than 90 days', facts: 'created 1 Jan 2026, never signed in', setting: 'MFA_STALE_CONSOLE_DAYS=90', checkedAt: '2026-06-01T09:30:00.000Z' }], notes: ['Possibly a service user: name contains "bot"'] },
    { accountId: B, userName: 'contractor-1', mfaState: 'none', flags: [], category: null, cohort: null, deadline: null, programGap: 'no-mfa', remediation: 'enroll', remediationText: 'Enroll, then test.', flagEvidence: [], notes: [] },
  ],
  signInTests: [
    { accountId: A, userName: 'carol', serial: 'arn:aws:iam::111111111111:mfa/carol', deviceType: 'virtual', enrolledAt: new Date('2026-05-30T08:00:00Z'), test: { kind: 'console', passed: false, at: new Date('2026-05-30T08:05:00Z'), reason: 'ConsoleSignInFailed' } },
    { accountId: B, userName: 'dan', serial: 'GAHT12345678', deviceType: 'hardware', enrolledAt: new Date('2026-05-29T08:00:00Z'), test: null },
  ],
  untestedDeviceTypes: ['virtual', 'hardware'],
  rootUsers: [
    { accountId: A, status: 'no-mfa', gap: true },
    { accountId: B, status: 'no-root-credentials', gap: false },
  ],
  unreachableAccounts: [{ accountId: '333333333333', reason: 'AccessDenied (AccessDenied)' }],
};
