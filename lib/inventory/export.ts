/** The structured inventory as CSV and JSON. Pure: the route streams batches through these. */

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
  mfaState: string;
  flags: string[];
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
] as const;

/** RFC 4180 quoting, and a leading apostrophe for values a spreadsheet would run as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const iso = (d: Date | null) => (d ? d.toISOString() : '');

export function toCsvLine(r: ExportRow): string {
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
  ]
    .map(csvField)
    .join(',');
}

export const csvHeader = () => CSV_COLUMNS.join(',');

export function toJsonRecord(r: ExportRow) {
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
  };
}
