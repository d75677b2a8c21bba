/**
 * Form and CSV input for the hardware token register: parsed, never trusted. Pure (the clock and the managed
 * accounts are passed in), so every rule has a unit test; the domain adds what needs the database (a serial
 * already registered).
 */
import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { hardwareSerialSchema } from '@/lib/enrollment/validation';
import { isAccountId, isIamUserName } from '@/lib/iam-identifiers';
import { formatCount } from '@/lib/format';
import { isUnclosedQuote, readCsv } from '@/lib/csv';

export const TOKEN_FILTERS = ['all', 'issued-not-enrolled', 'enrolled', 'unissued'] as const;
export type TokenFilter = (typeof TOKEN_FILTERS)[number];
export const CSV_COLUMNS = ['serial', 'model', 'accountId', 'userName', 'issuedAt'] as const;
export const MAX_IMPORT_ROWS = 1000;
/** About 200 bytes a line at the row limit: anything longer is not a token list. */
export const MAX_IMPORT_CHARS = 200_000;
export const PAGE_SIZE = 100;

/** The furthest any time zone is ahead of UTC: a date that is already today somewhere is not "in the future". */
const MAX_ZONE_AHEAD_MS = 14 * 3_600_000;

export type TokenIssue = { accountId: string; userName: string; issuedAt: Date };
export type TokenInput = { serial: string; model: string; issue: TokenIssue | null; note: string | null };

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The serial as the token prints it and AWS reports it: upper case, no spaces. */
export const tokenSerialSchema = z
  .string({ error: 'Give the serial number printed on the token.' })
  .trim()
  .min(1, 'Give the serial number printed on the token.')
  .pipe(hardwareSerialSchema);

export const tokenModelSchema = freeText({ error: 'Give the model, e.g. SafeNet OTP 110.' })
  .trim()
  .min(1, 'Give the model, e.g. SafeNet OTP 110.')
  .max(80, 'Keep the model to 80 characters.');

const noteSchema = freeText().trim().max(500, 'Keep the note to 500 characters.');

export const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** "2026-03-01" -> the start of that day in UTC; null for anything else, including 2026-02-30. */
export function parseDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : null;
}

type RawIssue = { accountId?: string; userName?: string; issuedAt?: string };
type Issue = (field: keyof RawIssue, message: string) => void;

/**
 * Who a token is issued to: both an account and a user name, or neither (in stock, and any date is ignored).
 * The date defaults to today and may not be in the future.
 */
function parseIssue(v: RawIssue, now: Date, accounts: readonly string[], issue: Issue): TokenIssue | null {
  const accountId = v.accountId?.trim();
  const userName = v.userName?.trim();
  const day = v.issuedAt?.trim();
  // A token in stock has no issue date: the form's date field starts at today, so a date alone is not an error.
  if (!accountId && !userName) return null;
  let ok = true;
  if (!accountId) {
    issue('accountId', 'Choose the account of the IAM user it is issued to.');
    ok = false;
  } else if (!isAccountId(accountId)) {
    issue('accountId', 'Enter a 12-digit account id.');
    ok = false;
  } else if (!accounts.includes(accountId)) {
    issue('accountId', `Account ${accountId} is not one of the accounts this portal manages.`);
    ok = false;
  }
  if (!userName) {
    issue('userName', 'Give the IAM user name it is issued to (or clear the account to keep the token in stock).');
    ok = false;
  } else if (!isIamUserName(userName)) {
    issue('userName', 'Enter an IAM user name: up to 64 letters, digits and _+=,.@- (no spaces).');
    ok = false;
  }
  let issuedAt = startOfUtcDay(now);
  if (day) {
    const parsed = parseDay(day);
    if (!parsed) {
      issue('issuedAt', 'Enter the date as YYYY-MM-DD.');
      ok = false;
    } else if (parsed.getTime() - MAX_ZONE_AHEAD_MS > now.getTime()) {
      issue('issuedAt', 'The issue date cannot be in the future.');
      ok = false;
    } else if (parsed.getTime() < Date.UTC(2000, 0, 1)) {
      issue('issuedAt', 'That date is before 2000: check the year.');
      ok = false;
    } else issuedAt = parsed;
  }
  return ok ? { accountId: accountId!, userName: userName!, issuedAt } : null;
}

/**
 * The add and edit forms (on edit the serial is the row's, in a hidden field). Every field is checked in one pass,
 * so a form gets all of its errors at once.
 */
export function tokenFormSchema(now: Date, accounts: readonly string[]) {
  const text = z.string().optional();
  return z
    .object({ serial: text, model: text, accountId: text, userName: text, issuedAt: text, note: text })
    .transform((v, ctx): TokenInput => {
      let failed = false;
      const issue = (path: string, message: string) => {
        failed = true;
        ctx.addIssue({ code: 'custom', path: [path], message });
      };
      const field = <T>(path: string, schema: z.ZodType<T>, value: string | undefined): T | undefined => {
        const r = schema.safeParse(value ?? '');
        if (r.success) return r.data;
        issue(path, r.error.issues[0]!.message);
        return undefined;
      };
      const serial = field('serial', tokenSerialSchema, v.serial);
      const model = field('model', tokenModelSchema, v.model);
      const note = field('note', noteSchema, v.note);
      const issued = parseIssue(v, now, accounts, issue);
      if (failed) return z.NEVER;
      return { serial: serial!, model: model!, issue: issued, note: note || null };
    });
}

export const tokenSerialFormSchema = z.object({ serial: tokenSerialSchema });

export type TokenFilters = { filter: TokenFilter; q: string | undefined; page: number };

const filtersSchema = z.object({
  filter: z.preprocess(blank, z.enum(TOKEN_FILTERS).default('all')),
  q: z.preprocess(blank, freeText().trim().max(100).optional()),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(100_000).default(1)),
});

/** The register's filter from the URL; an unknown or malformed value falls back to its default. */
export function parseTokenFilters(params: Record<string, string | string[] | undefined>): TokenFilters {
  const out: TokenFilters = { filter: 'all', q: undefined, page: 1 };
  for (const key of ['filter', 'q', 'page'] as const) {
    const value = params[key];
    const parsed = filtersSchema.shape[key].safeParse(typeof value === 'string' ? value : undefined);
    if (parsed.success) (out as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}

export function tokenFiltersToSearch(f: Partial<TokenFilters>): string {
  const p = new URLSearchParams();
  if (f.filter && f.filter !== 'all') p.set('filter', f.filter);
  if (f.q) p.set('q', f.q);
  if (f.page && f.page > 1) p.set('page', String(f.page));
  return p.toString();
}

export type CsvLineError = { line: number; message: string };
export type ParsedCsv = { ok: true; tokens: { line: number; token: TokenInput }[] } | { ok: false; errors: CsvLineError[] };

/**
 * One line's fields (csv-parse, RFC 4180 quoting within the line: "a, b" and "" for a quote; spaces before a field
 * are dropped, so `a, "b, c"` reads the quoted field); null for an unclosed quote. A record never spans lines here:
 * each line is one token, so a line break inside quotes is an unclosed quote on that line.
 */
export function splitCsvLine(line: string): string[] | null {
  try {
    return readCsv(line, { trimBeforeField: true })[0] ?? [''];
  } catch (error) {
    if (isUnclosedQuote(error)) return null;
    throw error;
  }
}

const HEADER = CSV_COLUMNS.join(',');

/**
 * Parses `serial,model,accountId,userName,issuedAt` lines. Each bad line is reported by its line number in the
 * text (the header is line 1); the caller imports nothing unless there are no errors at all.
 */
export function parseTokenCsv(text: string, now: Date, accounts: readonly string[]): ParsedCsv {
  if (text.length > MAX_IMPORT_CHARS) return { ok: false, errors: [{ line: 0, message: `The text is longer than ${formatCount(MAX_IMPORT_CHARS)} characters: import at most ${MAX_IMPORT_ROWS} tokens at a time.` }] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const errors: CsvLineError[] = [];
  const tokens: { line: number; token: TokenInput }[] = [];
  const seen = new Map<string, number>();
  let header = false;
  let rows = 0;
  const schema = tokenFormSchema(now, accounts);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    const cells = splitCsvLine(raw);
    if (!header) {
      if (!cells || cells.map((c) => c.trim().toLowerCase()).join(',') !== HEADER.toLowerCase()) {
        return { ok: false, errors: [{ line, message: `The first line must be the header ${HEADER}.` }] };
      }
      header = true;
      continue;
    }
    if (++rows > MAX_IMPORT_ROWS) {
      errors.push({ line, message: `Import at most ${MAX_IMPORT_ROWS} tokens at a time: split the file.` });
      break;
    }
    if (!cells) {
      errors.push({ line, message: 'A quoted field is not closed (a model with a comma is written "like, this").' });
      continue;
    }
    if (cells.length > CSV_COLUMNS.length) {
      errors.push({ line, message: `It has ${cells.length} fields; expected at most ${CSV_COLUMNS.length} (${HEADER}). Put a model that contains a comma in double quotes.` });
      continue;
    }
    const [serial = '', model = '', accountId = '', userName = '', issuedAt = ''] = cells;
    const parsed = schema.safeParse({ serial, model, accountId, userName, issuedAt });
    if (!parsed.success) {
      const fields = z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>>;
      const message = CSV_COLUMNS.filter((c) => fields[c]?.length)
        .map((c) => `${c}: ${fields[c]!.join(' ')}`)
        .join('; ');
      errors.push({ line, message });
      continue;
    }
    const first = seen.get(parsed.data.serial);
    if (first !== undefined) {
      errors.push({ line, message: `serial: ${parsed.data.serial} is also on line ${first}.` });
      continue;
    }
    seen.set(parsed.data.serial, line);
    tokens.push({ line, token: parsed.data });
  }
  if (!header) return { ok: false, errors: [{ line: 1, message: `Paste the tokens with the header ${HEADER} on the first line.` }] };
  if (errors.length) return { ok: false, errors };
  if (tokens.length === 0) return { ok: false, errors: [{ line: lines.length, message: 'There are no tokens after the header.' }] };
  return { ok: true, tokens };
}

/** For the error list: "Line 3: serial: …". */
export const csvErrorText = (e: CsvLineError) => (e.line > 0 ? `Line ${e.line}: ${e.message}` : e.message);
