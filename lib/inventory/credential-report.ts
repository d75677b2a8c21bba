/** Parsing of the IAM credential report (CSV). Pure: no I/O, safe to unit-test. */
import { isUnclosedQuote, readCsv } from '@/lib/csv';
import { ReportUsers } from './report-users';

export type CredentialReportUser = {
  userName: string;
  createdAt: Date | null;
  passwordEnabled: boolean;
  /** null: never used (or not recorded) — see passwordNeverUsed. */
  passwordLastUsed: Date | null;
  /** `no_information` or `N/A` on a user with a password: no sign-in on record. */
  passwordNeverUsed: boolean;
  mfaActive: boolean;
  /** The later of the two access keys' last use; null when neither was used. */
  accessKeyLastUsed: Date | null;
};

export type CredentialReport = {
  /** By user name (ReportUsers: a compact Map). The ARN is not kept: GetAccountAuthorizationDetails gives it. */
  users: ReportUsers;
  /** From the `<root_account>` row; null when the report has none. */
  rootMfaActive: boolean | null;
  /** The `<root_account>` row's credential facts; null when the report has none. */
  root: RootRow | null;
};

export type RootRow = {
  mfaActive: boolean;
  /** null: no sign-in on record (`no_information` / `N/A`). The root row's password_enabled is always not_supported. */
  passwordLastUsed: Date | null;
  accessKeysActive: boolean;
  certificatesActive: boolean;
};

/**
 * The root user's MFA verdict. `no-root-credentials` (not applicable, not a gap) is inferred: the report cannot tell
 * a root user without a password from one whose password was never used (password_enabled is not_supported on the
 * root row), so it takes the organisation's word that centralized root access is on (RootCredentialsManagement:
 * MFA_ROOT_CREDENTIALS_MANAGEMENT) plus a root row with nothing on it: no MFA, no sign-in on record, no active key
 * or certificate. Everything else on the row is read, not inferred.
 */
export type RootStatus = 'mfa' | 'no-mfa' | 'no-root-credentials' | 'not-reported';

export function rootStatus(root: RootRow | null, rootCredentialsManagement: boolean): RootStatus {
  if (!root) return 'not-reported';
  if (root.mfaActive) return 'mfa';
  const nothing = root.passwordLastUsed === null && !root.accessKeysActive && !root.certificatesActive;
  return rootCredentialsManagement && nothing ? 'no-root-credentials' : 'no-mfa';
}

export const rootStatusText: Record<RootStatus, string> = {
  mfa: 'MFA on',
  'no-mfa': 'no MFA',
  'no-root-credentials': 'not applicable: no root credentials (centralized root access)',
  'not-reported': 'not reported (no root row in the credential report)',
};

export const ROOT_ROW = '<root_account>';

/** Values the report uses for "nothing recorded". */
const NO_VALUE = new Set(['', 'N/A', 'no_information', 'not_supported']);

export function parseReportDate(value: string | undefined): Date | null {
  if (value === undefined || NO_VALUE.has(value.trim())) return null;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? null : d;
}

const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

export class CredentialReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialReportError';
  }
}

const REQUIRED = ['user', 'arn', 'password_enabled', 'mfa_active'] as const;

/** The report's records (csv-parse): a byte-order mark and blank lines are dropped; a broken quote is a report error. */
function readReport(csv: string): string[][] {
  try {
    return readCsv(csv, { bom: true, skipEmptyLines: true });
  } catch (error) {
    if (isUnclosedQuote(error)) throw new CredentialReportError('the credential report has a quoted field that is not closed');
    throw error;
  }
}

/** Columns are looked up by header name: AWS has added columns before and may again. */
export function parseCredentialReport(csv: string): CredentialReport {
  const [header, ...rows] = readReport(csv);
  if (!header) throw new CredentialReportError('the credential report is empty');
  const col = new Map(header.map((name, i) => [name.trim(), i]));
  for (const name of REQUIRED) if (!col.has(name)) throw new CredentialReportError(`the credential report has no "${name}" column`);
  const get = (r: string[], name: string) => {
    const i = col.get(name);
    return i === undefined ? undefined : r[i];
  };

  const users = new ReportUsers(rows.length);
  let root: RootRow | null = null;
  for (const r of rows) {
    const userName = get(r, 'user') ?? '';
    if (!userName) continue;
    const mfaActive = get(r, 'mfa_active') === 'true';
    if (userName === ROOT_ROW) {
      root = {
        mfaActive,
        passwordLastUsed: parseReportDate(get(r, 'password_last_used')?.trim()),
        accessKeysActive: get(r, 'access_key_1_active') === 'true' || get(r, 'access_key_2_active') === 'true',
        certificatesActive: get(r, 'cert_1_active') === 'true' || get(r, 'cert_2_active') === 'true',
      };
      continue;
    }
    const passwordEnabled = get(r, 'password_enabled') === 'true';
    const lastUsedRaw = get(r, 'password_last_used')?.trim();
    const passwordLastUsed = parseReportDate(lastUsedRaw);
    users.set({
      userName,
      createdAt: parseReportDate(get(r, 'user_creation_time')),
      passwordEnabled,
      passwordLastUsed,
      passwordNeverUsed: passwordEnabled && passwordLastUsed === null && (lastUsedRaw === 'no_information' || lastUsedRaw === 'N/A'),
      mfaActive,
      accessKeyLastUsed: later(parseReportDate(get(r, 'access_key_1_last_used_date')), parseReportDate(get(r, 'access_key_2_last_used_date'))),
    });
  }
  return { users, rootMfaActive: root?.mfaActive ?? null, root };
}
