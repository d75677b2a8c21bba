import { describe, expect, it } from 'vitest';
import readExcelFile from 'read-excel-file/node';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import type { ValidationReport } from './report-model';
import { sampleReport as report } from '@/test-support/report-fixture';
import { reportTables, reportToCsvZip, reportToXlsx, type ReportTable } from './report-export';

const A = '111111111111';
const B = '222222222222';

const byName = (tables: ReportTable[]) => new Map(tables.map((t) => [t.name, t]));

describe('reportTables', () => {
  it('has one table per section with the report’s values, one row per item', () => {
    const t = byName(reportTables(report));
    expect([...t.keys()]).toEqual(['summary', 'exceptions', 'out_of_scope', 'gaps', 'sign_in_tests', 'root_users', 'untested_device_types', 'unreachable_accounts']);
    expect(t.get('summary')!.rows).toEqual([['2026-06-01T10:00:00.000Z', '2026-06-01T09:30:00.000Z', 4, 1, 1, 1, 1, 3, 25]]);
    expect(t.get('exceptions')!.rows.map((r) => r[1])).toEqual(['break-glass', 'contractor-1']);
    expect(t.get('exceptions')!.rows[1]!.at(-1)).toBe(true);
    expect(t.get('out_of_scope')!.rows).toEqual([[A, 'ci-bot', 'user', 'Production', 'Automation, no person', 'zoë@example.com']]);
    expect(t.get('gaps')!.rows.map((r) => [r[1], r[3], r[7]])).toEqual([
      ['alice', null, 'no-mfa'],
      ['bob', 'several-devices never-signed-in', 'needs-backup'],
      ['contractor-1', null, 'no-mfa'],
    ]);
    expect(t.get('sign_in_tests')!.rows).toEqual([
      [A, 'carol', 'virtual', 'arn:aws:iam::111111111111:mfa/carol', '2026-05-30T08:00:00.000Z', 'console', false, '2026-05-30T08:05:00.000Z', 'ConsoleSignInFailed', null],
      [B, 'dan', 'hardware', 'GAHT12345678', '2026-05-29T08:00:00.000Z', null, null, null, null, null],
    ]);
    expect(t.get('untested_device_types')!.rows).toEqual([['virtual'], ['hardware']]);
    expect(t.get('unreachable_accounts')!.rows).toEqual([['333333333333', 'AccessDenied (AccessDenied)']]);
    for (const table of t.values()) for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
  });

  it('reads a stored report whose dates came back from JSON as strings', () => {
    const stored = JSON.parse(JSON.stringify(report)) as ValidationReport;
    expect(reportTables(stored)).toEqual(reportTables(report));
  });
});

describe('reportToXlsx', () => {
  it('parses back (read-excel-file) to one sheet per section whose header and rows equal the section', async () => {
    const sheets = await readExcelFile(await reportToXlsx(report), { trim: false });
    const tables = reportTables(report);
    expect(sheets.map((s) => s.sheet)).toEqual(tables.map((t) => t.name));
    for (const table of tables) {
      const sheet = sheets.find((s) => s.sheet === table.name)!;
      expect(sheet.data, table.name).toEqual([table.columns, ...table.rows]);
    }
    // A formula-looking justification stays text in the workbook: never evaluated.
    const exceptions = sheets.find((s) => s.sheet === 'exceptions')!.data;
    expect(exceptions[2]![4]).toBe('=HYPERLINK("http://x")');
    // Numbers are numbers, so a spreadsheet can sum them.
    expect(sheets[0]!.data[1]!.slice(2)).toEqual([4, 1, 1, 1, 1, 3, 25]);
  });

  it('writes an empty section as its header row', async () => {
    const empty: ValidationReport = { ...report, exceptions: [], outOfScope: [], gaps: [], signInTests: [], untestedDeviceTypes: [] };
    const sheets = await readExcelFile(await reportToXlsx(empty), { trim: false });
    expect(sheets.find((s) => s.sheet === 'gaps')!.data).toEqual([reportTables(empty).find((t) => t.name === 'gaps')!.columns]);
  });
});

describe('reportToCsvZip', () => {
  it('holds one flat CSV per section that parses (csv-parse) to the section, header first', () => {
    const files = unzipSync(reportToCsvZip(report));
    const tables = reportTables(report);
    expect(Object.keys(files).sort()).toEqual(tables.map((t) => `${t.name}.csv`).sort());
    for (const table of tables) {
      const rows = parse(strFromU8(files[`${table.name}.csv`]!), { relax_column_count: false }) as string[][];
      const expected = [table.columns, ...table.rows.map((r) => r.map((c) => (c === null ? '' : String(c))))];
      // The formula guard of the other CSV exports: a leading = is neutralised with a quote.
      if (table.name === 'exceptions') expected[2]![4] = `'=HYPERLINK("http://x")`;
      expect(rows, table.name).toEqual(expected);
    }
    const gaps = parse(strFromU8(files['gaps.csv']!), { columns: true }) as Record<string, string>[];
    expect(gaps.map((g) => [g.user_name, g.program_gap, g.remediation])).toEqual(report.gaps.map((g) => [g.userName, g.programGap, g.remediation]));
    const exceptions = parse(strFromU8(files['exceptions.csv']!), { columns: true }) as Record<string, string>[];
    expect(exceptions[0]!.justification).toBe('Sealed envelope, "in the safe"\nsecond line');
  });
});
