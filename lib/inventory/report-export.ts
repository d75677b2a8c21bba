/**
 * The validation report as flat tables: one per section, one header row, one value per cell, so that each section
 * opens as a table in a spreadsheet or pandas. The workbook (one sheet per section) and the zip (one CSV per
 * section) are written from the same tables, so the two downloads always agree.
 */
import writeExcelFile from 'write-excel-file/node';
import { strToU8, zipSync } from 'fflate';
import { csvDocument, csvLine, type CsvCell } from '@/lib/csv';
import { flagEvidenceText } from './export';
import type { ValidationReport } from './report-model';

export type Cell = CsvCell;
export type ReportTable = { name: string; columns: string[]; rows: Cell[][] };

const iso = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());

/** The sections in the order the report page shows them; names are valid sheet and file names. */
export function reportTables(r: ValidationReport): ReportTable[] {
  const t = r.totals;
  return [
    {
      name: 'summary',
      columns: ['generated_at', 'inventory_as_of', 'in_scope', 'compliant', 'exceptions_in_force', 'expired_exceptions', 'out_of_scope', 'gaps', 'coverage_pct'],
      rows: [[r.generatedAt, r.inventoryAsOf, t.inScope, t.enabled, t.exceptions, t.expiredExceptions, t.outOfScope, t.gaps, t.coveragePct]],
    },
    {
      name: 'exceptions',
      columns: ['account_id', 'user_name', 'level', 'category', 'justification', 'approver', 'approved_at', 'expires_at', 'expired'],
      rows: r.exceptions.map((e) => [e.accountId, e.userName, e.level, e.category, e.justification, e.approver, e.approvedAt ?? null, e.expiresAt, e.expired]),
    },
    {
      name: 'out_of_scope',
      columns: ['account_id', 'user_name', 'level', 'category', 'reason', 'decided_by'],
      rows: r.outOfScope.map((o) => [o.accountId, o.userName, o.level, o.category, o.reason, o.decidedBy]),
    },
    {
      name: 'gaps',
      columns: ['account_id', 'user_name', 'mfa_state', 'flags', 'category', 'cohort', 'deadline', 'program_gap', 'remediation', 'remediation_text', 'flag_evidence', 'notes'],
      // Flags are the stored codes, space-separated, and their evidence one cell: the row stays one user.
      rows: r.gaps.map((g) => [
        g.accountId, g.userName, g.mfaState, g.flags.join(' ') || null, g.category, g.cohort, g.deadline, g.programGap, g.remediation, g.remediationText,
        flagEvidenceText(g.flagEvidence ?? []) || null, (g.notes ?? []).join(' | ') || null,
      ]),
    },
    {
      name: 'sign_in_tests',
      columns: ['account_id', 'user_name', 'device_type', 'serial', 'enrolled_at', 'test', 'passed', 'tested_at', 'failure_reason', 'test_source'],
      rows: r.signInTests.map((s) => [s.accountId, s.userName, s.deviceType, s.serial, iso(s.enrolledAt), s.test?.kind ?? null, s.test ? s.test.passed : null, iso(s.test?.at), s.test?.reason ?? null, s.test?.source ?? null]),
    },
    {
      name: 'root_users',
      columns: ['account_id', 'root_status', 'gap'],
      rows: r.rootUsers.map((u) => [u.accountId, u.status, u.gap]),
    },
    {
      name: 'untested_device_types',
      columns: ['device_type'],
      rows: r.untestedDeviceTypes.map((d) => [d]),
    },
    {
      name: 'unreachable_accounts',
      columns: ['account_id', 'reason'],
      rows: r.unreachableAccounts.map((u) => [u.accountId, u.reason]),
    },
  ];
}

/** The workbook: one sheet per section, header row frozen. Strings stay strings (never formulas), so no cell is evaluated. */
export async function reportToXlsx(r: ValidationReport): Promise<Buffer> {
  const sheets = reportTables(r).map((table) => ({
    sheet: table.name,
    stickyRowsCount: 1,
    data: [table.columns.map((c) => ({ value: c, fontWeight: 'bold' as const })), ...table.rows.map((row) => row.map((value) => (value === null ? null : { value })))],
  }));
  return writeExcelFile(sheets).toBuffer();
}

/** One section as CSV (lib/csv: formula prefixes neutralised, quoted where needed; null is an empty cell). */
export const tableToCsv = (table: ReportTable): string => csvDocument([table.columns, ...table.rows].map(csvLine));

/** A zip of `<section>.csv` files, flat (no folder), for `pandas.read_csv(zip.open('gaps.csv'))`. */
export function reportToCsvZip(r: ValidationReport): Uint8Array {
  const files = Object.fromEntries(reportTables(r).map((t) => [`${t.name}.csv`, strToU8(tableToCsv(t))]));
  return zipSync(files, { level: 6 });
}
