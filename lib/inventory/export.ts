/** The structured inventory as CSV and JSON. Pure: the route streams batches through these. */
import { batchStream } from '@/lib/batch-stream';
import type { Decision, DeviceType } from '@/lib/db/schema';
import type { ProgramGap } from '@/lib/program/resolve';
import type { FlagEvidence } from './classify';
import { csvLine } from '@/lib/csv';
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

const iso = (d: Date | null) => (d ? d.toISOString() : '');

export function toCsvLine(r: ExportRow): string {
  const verdict = userVerdict(r);
  return csvLine([
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
  ]);
}

export const csvHeader = () => csvLine(CSV_COLUMNS);

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

/** The export download: CSV (header, CRLF after each row) or a JSON array, one page of rows read per pull. */
export function inventoryExportStream(batches: AsyncGenerator<ExportRow[]>, format: 'csv' | 'json'): ReadableStream<Uint8Array> {
  if (format === 'csv') return batchStream(batches, { head: `${csvHeader()}\r\n`, row: (r) => `${toCsvLine(r)}\r\n` });
  return batchStream(batches, { head: '[\n', row: (r, i) => `${i ? ',\n' : ''}${JSON.stringify(toJsonRecord(r))}`, tail: '\n]\n' });
}
