/** The structured inventory as CSV and JSON. Pure: the route streams batches through these. */
import type { Decision, DeviceType } from '@/lib/db/schema';
import type { ProgramGap } from '@/lib/program/resolve';
import type { FlagEvidence } from './classify';
import { userVerdict } from './coverage-view';

export type ExportRow = {
  accountId: string;
  userName: string;
  arn: string;
  createdAt: Date | null;
  consoleAccess: boolean;
  passwordLastUsed: Date | null;
  tags: Record<string, string>;
  groups: string[];
  devices: { serial: string; type: string; name: string; enabledAt: string | null }[];
  mfaState: 'enabled' | 'none' | 'leftover-only';
  flags: string[];
  flagEvidence: FlagEvidence[];
  categoryId: number | null;
  categoryName: string | null;
  categorySource: string;
  cohort: string | null;
  deadline: Date | null;
  decision: Decision;
  decisionSource: string;
  decisionReason: string | null;
  approver: string | null;
  expiresAt: Date | null;
  exceptionExpired: boolean;
  inScope: boolean;
  programGap: ProgramGap | null;
  allowedDeviceTypes: DeviceType[];
  minDevices: number;
};

export const CSV_COLUMNS = [
  'account_id',
  'user_name',
  'arn',
  'created_at',
  'password_enabled',
  'password_last_used',
  'mfa_state',
  'device_count',
  'devices',
  'groups',
  'tags',
  'flags',
  'category',
  'cohort',
  'deadline',
  'decision',
  'exception_expires_at',
  'exception_expired',
  'in_scope',
  'program_gap',
  'status',
  'advice',
  'flag_evidence',
] as const;

/** Each flag with its evidence on one line: "stale-console: password last used … [rule …; MFA_STALE_CONSOLE_DAYS=90]". */
export function flagEvidenceText(evidence: readonly FlagEvidence[]): string {
  return evidence.map((e) => `${e.flag}: ${e.facts} [${e.rule}${e.setting ? `; ${e.setting}` : ''}; checked ${e.checkedAt}]`).join(' | ');
}

/** RFC 4180 quoting, and a leading apostrophe for values a spreadsheet would run as a formula. */
/**
 * Spreadsheets evaluate a cell that starts with a formula character, and some strip leading whitespace first
 * (so " =cmd" still runs) or accept the full-width forms (＝＋－＠) as formula starts too.
 */
export const CSV_FORMULA_START = /^[=+\-@\t\r\n \uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvField(value: string): string {
  const safe = CSV_FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const iso = (d: Date | null) => (d ? d.toISOString() : '');

export function toCsvLine(r: ExportRow): string {
  const verdict = userVerdict(r);
  return [
    r.accountId,
    r.userName,
    r.arn,
    iso(r.createdAt),
    r.consoleAccess ? 'true' : 'false',
    iso(r.passwordLastUsed),
    r.mfaState,
    String(r.devices.length),
    r.devices.map((d) => `${d.type}:${d.serial}:${d.enabledAt ?? ''}`).join(' '),
    r.groups.join(' '),
    Object.entries(r.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join('; '),
    r.flags.join(' '),
    r.categoryName ?? '',
    r.cohort ?? '',
    iso(r.deadline),
    r.decision,
    r.decision === 'exception' ? iso(r.expiresAt) : '',
    r.exceptionExpired ? 'true' : 'false',
    r.inScope ? 'true' : 'false',
    r.programGap ?? '',
    verdict.status,
    [verdict.advice, ...verdict.notes].filter(Boolean).join(' '),
    flagEvidenceText(r.flagEvidence),
  ]
    .map(csvField)
    .join(',');
}

export const csvHeader = () => CSV_COLUMNS.join(',');

export function toJsonRecord(r: ExportRow) {
  const verdict = userVerdict(r);
  return {
    accountId: r.accountId,
    userName: r.userName,
    arn: r.arn,
    createdAt: iso(r.createdAt) || null,
    passwordEnabled: r.consoleAccess,
    passwordLastUsed: iso(r.passwordLastUsed) || null,
    mfaState: r.mfaState,
    devices: r.devices,
    groups: r.groups,
    tags: r.tags,
    flags: r.flags,
    category: r.categoryId === null ? null : { id: r.categoryId, name: r.categoryName, source: r.categorySource },
    cohort: r.cohort,
    deadline: iso(r.deadline) || null,
    decision: r.decision,
    decisionSource: r.decisionSource,
    decisionReason: r.decisionReason,
    approver: r.approver,
    exceptionExpiresAt: r.decision === 'exception' ? iso(r.expiresAt) || null : null,
    exceptionExpired: r.exceptionExpired,
    inScope: r.inScope,
    programGap: r.programGap,
    status: verdict.status,
    remediation: verdict.remediation,
    advice: verdict.advice,
    notes: verdict.notes,
    flagEvidence: r.flagEvidence,
  };
}
