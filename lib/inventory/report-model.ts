/** The validation report, computed from the program's view of the inventory and enrollment events. Pure, so it is unit-tested. */
import type { ProgramGap } from '@/lib/program/resolve';
import type { FlagEvidence } from './classify';
import type { RootStatus } from './credential-report';
import { formatDateTimeUtc } from '@/lib/format';
import { coveragePct, isGap, storedRemediationText, userVerdict, type InventoryRowLike, type Remediation } from './coverage-view';

/** A user as the report needs it: inventory facts and the program applied (a `program_users` row fits). */
export type ReportUser = InventoryRowLike & {
  accountId: string;
  userName: string;
  devices: { serial: string; type: 'virtual' | 'hardware' | 'fido' }[];
  categoryId: number | null;
  categoryName: string | null;
  cohort: string | null;
  deadline: Date | null;
  decisionSource: 'user' | 'category' | 'default';
  decisionReason: string | null;
  approver: string | null;
  /** When the approver approved the exception (its request record); null or absent when approved before requests. */
  approvedAt?: Date | null;
  decidedBy: string | null;
  inScope: boolean;
  compliant: boolean;
};

export type ReportEvent = {
  at: Date;
  accountId: string;
  userName: string;
  kind: string;
  outcome: 'success' | 'failure';
  serial: string | null;
  deviceType: 'virtual' | 'hardware' | 'fido' | null;
  reason: string | null;
};

export type SignInTest = {
  accountId: string;
  userName: string;
  serial: string;
  deviceType: 'virtual' | 'hardware' | 'fido';
  enrolledAt: Date;
  /**
   * The test of this device: a console sign-in with MFA that CloudTrail reported after the enrollment (evidence,
   * lib/events), else the latest test: a console sign-in the member recorded (self-reported) or the CLI path via STS
   * (checked by the portal). `source` is absent in reports generated before evidence existed (self-reported or STS).
   */
  test: { kind: 'console' | 'cli'; passed: boolean; at: Date; reason: string | null; source?: SignInTestSource } | null;
};

export type SignInTestSource = 'cloudtrail' | 'self-reported' | 'portal';

/** CloudTrail's ConsoleLogin with MFAUsed = Yes, the latest per IAM user (lib/db/schema/events.ts). */
export type ConsoleSignInEvidence = { accountId: string; userName: string; mfaSeenAt: Date | string };

/** One line for a sign-in test, saying which kind of proof it is. */
export function signInTestText(test: SignInTest['test']): string {
  if (!test) return 'Not tested yet';
  if (test.source === 'cloudtrail') return `Console sign-in with MFA seen at ${formatDateTimeUtc(new Date(test.at))} (CloudTrail)`;
  const what = test.kind === 'cli' ? 'CLI (STS)' : 'Console (self-reported)';
  return `${what}: ${test.passed ? 'passed' : `failed${test.reason ? ` (${test.reason})` : ''}`}`;
}

/** An exception (the user's own or their category's default) of a console user, as the register holds it. */
export type ReportException = {
  accountId: string;
  userName: string;
  /** user: an admin's decision about this user; category: the category's default decision. */
  level: 'user' | 'category';
  category: string | null;
  justification: string | null;
  approver: string | null;
  /** When the approver approved it (from the request record); null for an exception approved before requests existed. Absent in older reports. */
  approvedAt?: string | null;
  expiresAt: string | null;
  /** Past its expiry: the user is in scope again (and a gap unless compliant). */
  expired: boolean;
};

export type ReportOutOfScope = { accountId: string; userName: string; level: 'user' | 'category'; category: string | null; reason: string | null; decidedBy: string | null };

export type ReportGap = {
  accountId: string;
  userName: string;
  mfaState: string;
  flags: string[];
  category: string | null;
  cohort: string | null;
  deadline: string | null;
  programGap: ProgramGap;
  remediation: Remediation;
  /** The remediation as a sentence for this user, as it read when the report was generated. */
  remediationText: string;
  /** Why each flag was raised (rule, facts with dates, setting), as stored with the inventory row. */
  flagEvidence: FlagEvidence[];
  /** Informational notes (a service-user hint, not signed in yet), as the user's page shows them. */
  notes: string[];
};

/** One account's root user. `no-root-credentials` is not applicable (not a gap); `no-mfa` is a gap. */
export type ReportRoot = { accountId: string; status: RootStatus; gap: boolean };

export type ValidationReport = {
  generatedAt: string;
  inventoryAsOf: string | null;
  /** enabled: in scope and compliant with the category's device rules. exceptions: in force; expired ones are in scope. */
  totals: { inScope: number; enabled: number; exceptions: number; expiredExceptions: number; outOfScope: number; gaps: number; coveragePct: number };
  exceptions: ReportException[];
  outOfScope: ReportOutOfScope[];
  gaps: ReportGap[];
  signInTests: SignInTest[];
  untestedDeviceTypes: ('virtual' | 'hardware' | 'fido')[];
  /** Each managed account's root user, from its last collection. */
  rootUsers: ReportRoot[];
  /** Managed accounts whose member role could not be assumed: their users are unknown, not counted as none. */
  unreachableAccounts: ReportUnreachable[];
};

export type ReportUnreachable = { accountId: string; reason: string | null };

const ENROLLED = new Set(['virtual.enabled', 'hardware.enable', 'fido.detected']);
const TESTS: Record<string, 'console' | 'cli'> = { 'device.test-console': 'console', 'device.test-cli': 'cli' };

const byUser = (a: { accountId: string; userName: string }, b: { accountId: string; userName: string }) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName);
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const level = (u: ReportUser): 'user' | 'category' => (u.decisionSource === 'user' ? 'user' : 'category');

export function buildValidationReport(
  users: ReportUser[],
  events: ReportEvent[],
  now: Date,
  inventoryAsOf: Date | null,
  roots: readonly { accountId: string; status: RootStatus | null }[] = [],
  unreachable: readonly ReportUnreachable[] = [],
  consoleEvidence: readonly ConsoleSignInEvidence[] = [],
): ValidationReport {
  const inScope = users.filter((u) => u.inScope);
  const enabled = inScope.filter((u) => u.compliant);
  const gaps: ReportGap[] = inScope
    .filter(isGap)
    .map((u) => {
      // The same derivation as the user's page and the dashboard's gap list, so they cannot disagree.
      const verdict = userVerdict(u);
      return {
        accountId: u.accountId,
        userName: u.userName,
        mfaState: u.mfaState,
        flags: u.flags,
        category: u.categoryName,
        cohort: u.cohort,
        deadline: iso(u.deadline),
        programGap: u.programGap!,
        remediation: verdict.remediation!,
        remediationText: verdict.advice!,
        flagEvidence: u.flagEvidence ?? [],
        notes: verdict.notes,
      };
    })
    .sort(byUser);
  // Only console users: without a password there is no console sign-in for MFA to protect.
  const consoleUsers = users.filter((u) => u.consoleAccess);
  const exceptions: ReportException[] = consoleUsers
    .filter((u) => u.decision === 'exception')
    .map((u) => ({
      accountId: u.accountId,
      userName: u.userName,
      level: level(u),
      category: u.categoryName,
      justification: u.decisionReason,
      approver: u.approver,
      approvedAt: iso(u.approvedAt ?? null),
      expiresAt: iso(u.expiresAt),
      expired: u.exceptionExpired,
    }))
    .sort(byUser);
  const outOfScope: ReportOutOfScope[] = consoleUsers
    .filter((u) => u.decision === 'out-of-scope')
    .map((u) => ({ accountId: u.accountId, userName: u.userName, level: level(u), category: u.categoryName, reason: u.decisionReason, decidedBy: u.decisionSource === 'user' ? u.decidedBy : null }))
    .sort(byUser);

  const current = new Set(users.flatMap((u) => u.devices.map((d) => `${u.accountId}|${u.userName}|${d.serial}`)));
  const enrolled = new Map<string, SignInTest>();
  const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of ordered) {
    if (!e.serial || e.outcome !== 'success' || !ENROLLED.has(e.kind) || !e.deviceType) continue;
    const key = `${e.accountId}|${e.userName}|${e.serial}`;
    if (current.has(key)) enrolled.set(key, { accountId: e.accountId, userName: e.userName, serial: e.serial, deviceType: e.deviceType, enrolledAt: e.at, test: null });
  }
  for (const e of ordered) {
    const kind = TESTS[e.kind];
    const t = e.serial ? enrolled.get(`${e.accountId}|${e.userName}|${e.serial}`) : undefined;
    if (kind && t && e.at >= t.enrolledAt) t.test = { kind, passed: e.outcome === 'success', at: e.at, reason: e.reason, source: kind === 'cli' ? 'portal' : 'self-reported' };
  }
  // Evidence wins over what was recorded: AWS saw this user sign in to the console with MFA after the enrollment.
  // CloudTrail's eventTime has whole seconds, so a sign-in in the enrollment's own second counts (as its time reads).
  const seen = new Map(consoleEvidence.map((e) => [`${e.accountId}|${e.userName}`, new Date(e.mfaSeenAt)]));
  for (const t of enrolled.values()) {
    const at = seen.get(`${t.accountId}|${t.userName}`);
    if (at && at.getTime() >= Math.floor(t.enrolledAt.getTime() / 1000) * 1000) t.test = { kind: 'console', passed: true, at, reason: null, source: 'cloudtrail' };
  }
  const signInTests = [...enrolled.values()].sort((a, b) => b.enrolledAt.getTime() - a.enrolledAt.getTime());
  const testedTypes = new Set(signInTests.filter((t) => t.test?.passed).map((t) => t.deviceType));
  return {
    generatedAt: now.toISOString(),
    inventoryAsOf: inventoryAsOf?.toISOString() ?? null,
    totals: {
      inScope: inScope.length,
      enabled: enabled.length,
      exceptions: exceptions.filter((e) => !e.expired).length,
      expiredExceptions: exceptions.filter((e) => e.expired).length,
      outOfScope: outOfScope.length,
      gaps: gaps.length,
      coveragePct: coveragePct(enabled.length, inScope.length),
    },
    exceptions,
    outOfScope,
    gaps,
    signInTests,
    untestedDeviceTypes: (['virtual', 'hardware'] as const).filter((t) => !testedTypes.has(t)),
    rootUsers: [...roots]
      .sort((a, b) => a.accountId.localeCompare(b.accountId))
      .map((r) => ({ accountId: r.accountId, status: r.status ?? 'not-reported', gap: r.status === 'no-mfa' })),
    unreachableAccounts: unreachable.map((u) => ({ accountId: u.accountId, reason: u.reason })),
  };
}

/**
 * A stored report as this version reads it: reports generated before the program lack the register, the
 * out-of-scope list and the program's gap fields; they were all zero or empty then.
 */
export function toValidationReport(content: Record<string, unknown>): ValidationReport {
  const r = content as Partial<ValidationReport> & Pick<ValidationReport, 'generatedAt' | 'inventoryAsOf' | 'signInTests' | 'untestedDeviceTypes'>;
  const totals = (r.totals ?? {}) as Partial<ValidationReport['totals']>;
  return {
    ...r,
    totals: {
      inScope: totals.inScope ?? 0,
      enabled: totals.enabled ?? 0,
      exceptions: totals.exceptions ?? 0,
      expiredExceptions: totals.expiredExceptions ?? 0,
      outOfScope: totals.outOfScope ?? 0,
      gaps: totals.gaps ?? 0,
      coveragePct: totals.coveragePct ?? 100,
    },
    exceptions: r.exceptions ?? [],
    outOfScope: r.outOfScope ?? [],
    rootUsers: r.rootUsers ?? [],
    unreachableAccounts: r.unreachableAccounts ?? [],
    gaps: (r.gaps ?? []).map((g) => ({
      ...g,
      category: g.category ?? null,
      cohort: g.cohort ?? null,
      deadline: g.deadline ?? null,
      programGap: g.programGap ?? 'no-mfa',
      remediationText: g.remediationText ?? storedRemediationText(g.remediation),
      flagEvidence: g.flagEvidence ?? [],
      notes: g.notes ?? [],
    })),
  };
}
