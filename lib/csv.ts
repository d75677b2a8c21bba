/**
 * CSV in one place. Writing: RFC 4180 quoting plus the formula-injection guard, for every export (inventory, audit,
 * validation report). Reading: csv-parse, for the credential report, the token import and the tests.
 */
import { CsvError, parse } from 'csv-parse/sync';

/**
 * Spreadsheets evaluate a cell that starts with a formula character, and some strip leading whitespace first
 * (so " =cmd" still runs) or accept the full-width forms (＝＋－＠) as formula starts too.
 */
export const CSV_FORMULA_START = /^[=+\-@\t\r\n \uFF1D\uFF0B\uFF0D\uFF20]/;

/** RFC 4180 quoting, and a leading apostrophe for values a spreadsheet would run as a formula. */
export function csvField(value: string): string {
  const safe = CSV_FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export type CsvCell = string | number | boolean | null;

/** One record without its line break: each cell through csvField; null is an empty cell. */
export const csvLine = (cells: readonly CsvCell[]): string => cells.map((c) => (c === null ? '' : csvField(String(c)))).join(',');

/** Records as a document: CRLF after every record (RFC 4180), also the last. */
export const csvDocument = (lines: readonly string[]): string => `${lines.join('\r\n')}\r\n`;

export type CsvReadOptions = {
  /** Drop a leading byte-order mark (Excel writes one). */
  bom?: boolean;
  /** Skip lines with nothing on them instead of reading them as one empty field. */
  skipEmptyLines?: boolean;
  /** Drop the spaces before each field, so a quote after them still opens a quoted field (`a, "b, c"`): hand-typed text. */
  trimBeforeField?: boolean;
};

/**
 * RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; records end with LF, CRLF or
 * a lone CR; rows may differ in length. A quote inside an unquoted field is kept as text. Throws `CsvError` on
 * a quoted field that is not closed.
 */
export function readCsv(text: string, options: CsvReadOptions = {}): string[][] {
  return parse(text, {
    bom: options.bom ?? false,
    skip_empty_lines: options.skipEmptyLines ?? false,
    ltrim: options.trimBeforeField ?? false,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
  }) as string[][];
}

/** True for csv-parse's "a quoted field is not closed". */
export const isUnclosedQuote = (error: unknown) => error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED';
