import { describe, expect, it } from 'vitest';
import { parseCsv } from '@/test-support/csv';
import { csvHeader, toCsvLine, toJsonRecord, type ExportRow } from './export';

const row: ExportRow = {
  accountId: '111111111111',
  userName: 'jane.doe',
  arn: 'arn:aws:iam::111111111111:user/jane.doe',
  createdAt: new Date('2025-01-02T03:04:05Z'),
  consoleAccess: true,
  passwordLastUsed: null,
  tags: { Environment: 'prod', Owner: 'Jane, "JD"' },
  groups: ['developers', 'readonly'],
  devices: [{ serial: 'GAHT12345678', type: 'hardware', name: 'GAHT12345678', enabledAt: '2025-02-01T00:00:00.000Z' }],
  mfaState: 'enabled',
  flags: ['stale-console', 'never-signed-in'],
  flagEvidence: [
    {
      flag: 'stale-console',
      rule: 'console password unused for 90 days or more, by a user older than that',
      facts: 'never signed in since its creation on 2 Jan 2025 (150 days ago)',
      setting: 'MFA_STALE_CONSOLE_DAYS=90',
      checkedAt: '2025-06-01T00:00:00.000Z',
    },
    { flag: 'never-signed-in', rule: 'the console password was never used', facts: 'never signed in since 2 Jan 2025', setting: 'MFA_STALE_CONSOLE_DAYS=90', checkedAt: '2025-06-01T00:00:00.000Z' },
  ],
  categoryId: 3,
  categoryName: 'Prod admins',
  categorySource: 'selector',
  cohort: 'prod-admins',
  deadline: new Date('2026-09-01T00:00:00Z'),
  decision: 'exception',
  decisionSource: 'user',
  decisionReason: 'leaving',
  approver: 'ciso@example.com',
  expiresAt: new Date('2026-05-01T00:00:00Z'),
  exceptionExpired: true,
  inScope: true,
  programGap: 'needs-backup',
  allowedDeviceTypes: ['hardware', 'fido'],
  minDevices: 2,
};

const parseCsvLine = (line: string) => parseCsv(line)[0] ?? [''];

describe('inventory export', () => {
  it('writes one CSV line per user with every column, quoting where needed', () => {
    const fields = parseCsvLine(toCsvLine(row));
    expect(fields).toHaveLength(csvHeader().split(',').length);
    expect(fields.slice(0, 7)).toEqual(['111111111111', 'jane.doe', row.arn, '2025-01-02T03:04:05.000Z', 'true', '', 'enabled']);
    expect(fields[8]).toBe('hardware:GAHT12345678:2025-02-01T00:00:00.000Z');
    expect(fields[10]).toBe('Environment=prod; Owner=Jane, "JD"');
  });

  it('adds the program: category, cohort, deadline, decision, exception expiry, scope and gap', () => {
    const header = csvHeader().split(',');
    const fields = parseCsvLine(toCsvLine(row));
    const at = (c: string) => fields[header.indexOf(c)];
    const program = ['category', 'cohort', 'deadline', 'decision', 'exception_expires_at', 'exception_expired', 'in_scope', 'program_gap'];
    const start = header.indexOf('category');
    expect(header.slice(start, start + 8)).toEqual(program);
    expect(fields.slice(start, start + 8)).toEqual(['Prod admins', 'prod-admins', '2026-09-01T00:00:00.000Z', 'exception', '2026-05-01T00:00:00.000Z', 'true', 'true', 'needs-backup']);
    const plain = parseCsvLine(toCsvLine({ ...row, categoryId: null, categoryName: null, cohort: null, deadline: null, decision: 'required', expiresAt: null, exceptionExpired: false, programGap: null }));
    expect(plain.slice(start, start + 8)).toEqual(['', '', '', 'required', '', 'false', 'true', '']);
    expect(at('user_name')).toBe('jane.doe');
  });

  it('adds the status and advice the user page shows, and each flag with its evidence', () => {
    const header = csvHeader().split(',');
    expect(header.slice(-3)).toEqual(['status', 'advice', 'flag_evidence']);
    const fields = parseCsvLine(toCsvLine(row));
    const at = (c: string) => fields[header.indexOf(c)]!;
    expect(at('status')).toBe('gap');
    expect(at('advice')).toMatch(/^Add a backup device: this category requires two\. The approved exception expired on 1 May 2026/);
    expect(at('flag_evidence')).toBe(
      'stale-console: never signed in since its creation on 2 Jan 2025 (150 days ago) [console password unused for 90 days or more, by a user older than that; MFA_STALE_CONSOLE_DAYS=90; checked 2025-06-01T00:00:00.000Z] | ' +
        'never-signed-in: never signed in since 2 Jan 2025 [the console password was never used; MFA_STALE_CONSOLE_DAYS=90; checked 2025-06-01T00:00:00.000Z]',
    );
    const json = toJsonRecord(row);
    expect(json.flags).toEqual(['stale-console', 'never-signed-in']);
    expect(json.flagEvidence).toEqual(row.flagEvidence);
    expect(json).toMatchObject({ status: 'gap', remediation: 'add-backup', advice: at('advice') });
    expect(toJsonRecord({ ...row, programGap: null, decision: 'out-of-scope', exceptionExpired: false })).toMatchObject({ status: 'out-of-scope', remediation: null, advice: null });
  });

  it('keeps JSON structured', () => {
    expect(toJsonRecord(row)).toMatchObject({ passwordEnabled: true, passwordLastUsed: null, devices: row.devices, tags: row.tags, groups: row.groups });
    expect(toJsonRecord(row)).toMatchObject({
      category: { id: 3, name: 'Prod admins', source: 'selector' },
      cohort: 'prod-admins',
      deadline: '2026-09-01T00:00:00.000Z',
      decision: 'exception',
      approver: 'ciso@example.com',
      exceptionExpiresAt: '2026-05-01T00:00:00.000Z',
      exceptionExpired: true,
      inScope: true,
      programGap: 'needs-backup',
    });
    expect(toJsonRecord({ ...row, categoryId: null })).toMatchObject({ category: null });
  });
});
