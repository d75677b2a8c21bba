/** Parsing of the IAM credential report (CSV). Pure: no I/O, safe to unit-test. */

export type CredentialReportUser = {
  userName: string;
  arn: string;
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
  users: Map<string, CredentialReportUser>;
  /** From the `<root_account>` row; null when the report has none (moto never writes one). */
  rootMfaActive: boolean | null;
};

export const ROOT_ROW = '<root_account>';

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c === '\r') {
      if (text[i + 1] !== '\n') endRow();
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

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

/** Columns are looked up by header name: AWS has added columns before and may again. */
export function parseCredentialReport(csv: string): CredentialReport {
  const [header, ...records] = parseCsv(csv.replace(/^\uFEFF/, ''));
  if (!header) throw new CredentialReportError('the credential report is empty');
  const col = new Map(header.map((name, i) => [name.trim(), i]));
  for (const name of REQUIRED) if (!col.has(name)) throw new CredentialReportError(`the credential report has no "${name}" column`);
  const get = (r: string[], name: string) => {
    const i = col.get(name);
    return i === undefined ? undefined : r[i];
  };

  const users = new Map<string, CredentialReportUser>();
  let rootMfaActive: boolean | null = null;
  for (const r of records) {
    const userName = get(r, 'user') ?? '';
    if (!userName) continue;
    const mfaActive = get(r, 'mfa_active') === 'true';
    if (userName === ROOT_ROW) {
      rootMfaActive = mfaActive;
      continue;
    }
    const passwordEnabled = get(r, 'password_enabled') === 'true';
    const lastUsedRaw = get(r, 'password_last_used')?.trim();
    const passwordLastUsed = parseReportDate(lastUsedRaw);
    users.set(userName, {
      userName,
      arn: get(r, 'arn') ?? '',
      createdAt: parseReportDate(get(r, 'user_creation_time')),
      passwordEnabled,
      passwordLastUsed,
      passwordNeverUsed: passwordEnabled && passwordLastUsed === null && (lastUsedRaw === 'no_information' || lastUsedRaw === 'N/A'),
      mfaActive,
      accessKeyLastUsed: later(parseReportDate(get(r, 'access_key_1_last_used_date')), parseReportDate(get(r, 'access_key_2_last_used_date'))),
    });
  }
  return { users, rootMfaActive };
}
