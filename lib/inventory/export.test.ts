import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCsv } from '@/test-support/csv';
import { csvField, csvHeader, toCsvLine, toJsonRecord, type ExportRow } from './export';

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
  flags: ['stale-console'],
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
    expect(header.slice(-8)).toEqual(['category', 'cohort', 'deadline', 'decision', 'exception_expires_at', 'exception_expired', 'in_scope', 'program_gap']);
    expect(fields.slice(-8)).toEqual(['Prod admins', 'prod-admins', '2026-09-01T00:00:00.000Z', 'exception', '2026-05-01T00:00:00.000Z', 'true', 'true', 'needs-backup']);
    const plain = parseCsvLine(toCsvLine({ ...row, categoryId: null, categoryName: null, cohort: null, deadline: null, decision: 'required', expiresAt: null, exceptionExpired: false, programGap: null }));
    expect(plain.slice(-8)).toEqual(['', '', '', 'required', '', 'false', 'true', '']);
    expect(at('user_name')).toBe('jane.doe');
  });

  it('neutralises spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('plain')).toBe('plain');
  });

  it('round-trips any field value (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const back = parseCsvLine(csvField(s))[0];
        expect(back).toBe(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      }),
    );
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
