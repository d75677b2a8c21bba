/** The validation report, computed from inventory rows and enrollment events. Pure, so it is unit-tested. */
import { coveragePct, isGap, remediationFor, type Remediation } from './coverage-view';

export type ReportUser = {
  accountId: string;
  userName: string;
  consoleAccess: boolean;
  mfaState: 'enabled' | 'none' | 'leftover-only';
  flags: string[];
  devices: { serial: string; type: 'virtual' | 'hardware' | 'fido' }[];
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
  /** The latest test of this device: console sign-in recorded by the member, or the CLI path via STS. */
  test: { kind: 'console' | 'cli'; passed: boolean; at: Date; reason: string | null } | null;
};

export type ValidationReport = {
  generatedAt: string;
  inventoryAsOf: string | null;
  totals: { inScope: number; enabled: number; exceptions: number; outOfScope: number; gaps: number; coveragePct: number };
  exceptions: { accountId: string; userName: string; status: string }[];
  gaps: { accountId: string; userName: string; mfaState: string; flags: string[]; remediation: Remediation }[];
  signInTests: SignInTest[];
  untestedDeviceTypes: ('virtual' | 'hardware' | 'fido')[];
};

const ENROLLED = new Set(['virtual.enabled', 'hardware.enable', 'fido.detected']);
const TESTS: Record<string, 'console' | 'cli'> = { 'device.test-console': 'console', 'device.test-cli': 'cli' };

export function buildValidationReport(users: ReportUser[], events: ReportEvent[], now: Date, inventoryAsOf: Date | null): ValidationReport {
  const inScope = users.filter((u) => u.consoleAccess);
  const enabled = inScope.filter((u) => u.mfaState === 'enabled');
  const gaps = inScope
    .filter(isGap)
    .map((u) => ({ accountId: u.accountId, userName: u.userName, mfaState: u.mfaState, flags: u.flags, remediation: remediationFor(u)! }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));

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
    if (kind && t && e.at >= t.enrolledAt) t.test = { kind, passed: e.outcome === 'success', at: e.at, reason: e.reason };
  }
  const signInTests = [...enrolled.values()].sort((a, b) => b.enrolledAt.getTime() - a.enrolledAt.getTime());
  const testedTypes = new Set(signInTests.filter((t) => t.test?.passed).map((t) => t.deviceType));
  return {
    generatedAt: now.toISOString(),
    inventoryAsOf: inventoryAsOf?.toISOString() ?? null,
    totals: { inScope: inScope.length, enabled: enabled.length, exceptions: 0, outOfScope: 0, gaps: gaps.length, coveragePct: coveragePct(enabled.length, inScope.length) },
    exceptions: [],
    gaps,
    signInTests,
    untestedDeviceTypes: (['virtual', 'hardware'] as const).filter((t) => !testedTypes.has(t)),
  };
}
