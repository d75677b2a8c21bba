import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvErrorText, MAX_IMPORT_ROWS, parseDay, parseTokenCsv, parseTokenFilters, splitCsvLine, tokenFiltersToSearch, tokenFormSchema } from './token-input';

const NOW = new Date('2026-03-10T12:00:00Z');
const ACCOUNTS = ['111111111111', '222222222222'];
const schema = tokenFormSchema(NOW, ACCOUNTS);
const form = (over: Record<string, string> = {}) => ({ serial: 'gaht12345678', model: 'SafeNet OTP 110', accountId: '', userName: '', issuedAt: '', note: '', ...over });
const errorsOf = (raw: Record<string, string>) => {
  const r = schema.safeParse(raw);
  return r.success ? {} : (z.flattenError(r.error).fieldErrors as Record<string, string[]>);
};

describe('token form', () => {
  it('refuses control characters in the model and the note', () => {
    expect(errorsOf(form({ model: 'SafeNet\u0000', note: 'box\t3' }))).toEqual({ model: [expect.stringMatching(/control character/)], note: [expect.stringMatching(/control character/)] });
  });

  it('accepts a token in stock: upper-cased serial, trimmed model, no issue', () => {
    expect(schema.parse(form({ model: '  SafeNet OTP 110 ' }))).toEqual({ serial: 'GAHT12345678', model: 'SafeNet OTP 110', issue: null, note: null });
  });

  it('issues to a managed account and user, on today (UTC) by default', () => {
    expect(schema.parse(form({ accountId: '222222222222', userName: 'alice', note: ' spare box 3 ' }))).toEqual({
      serial: 'GAHT12345678',
      model: 'SafeNet OTP 110',
      issue: { accountId: '222222222222', userName: 'alice', issuedAt: new Date('2026-03-10T00:00:00Z') },
      note: 'spare box 3',
    });
    expect(schema.parse(form({ accountId: '111111111111', userName: 'bob', issuedAt: '2025-12-01' })).issue?.issuedAt).toEqual(new Date('2025-12-01T00:00:00Z'));
  });

  it('returns every field error at once, with human messages', () => {
    const errors = errorsOf({ serial: 'gaht 1234', model: '', accountId: '333333333333', userName: 'not a user', issuedAt: '2026-02-30', note: '' });
    expect(Object.keys(errors).sort()).toEqual(['accountId', 'issuedAt', 'model', 'serial', 'userName']);
    expect(errors.serial![0]).toMatch(/at least 9 characters|only letters, digits/);
    expect(errors.model).toEqual(['Give the model, e.g. SafeNet OTP 110.']);
    expect(errors.accountId).toEqual(['Account 333333333333 is not one of the accounts this portal manages.']);
    expect(errors.userName![0]).toMatch(/IAM user name/);
    expect(errors.issuedAt).toEqual(['Enter the date as YYYY-MM-DD.']);
  });

  it('refuses a blank serial, an ARN, a long model and a long note', () => {
    expect(errorsOf(form({ serial: '  ' })).serial).toEqual(['Give the serial number printed on the token.']);
    expect(errorsOf(form({ serial: 'arn:aws:iam::111111111111:mfa/x' })).serial![0]).toMatch(/not an ARN|only letters/);
    expect(errorsOf(form({ model: 'x'.repeat(81) })).model).toEqual(['Keep the model to 80 characters.']);
    expect(errorsOf(form({ model: 'x'.repeat(80) }))).toEqual({});
    expect(errorsOf(form({ note: 'n'.repeat(501) })).note).toEqual(['Keep the note to 500 characters.']);
  });

  it('needs both the account and the user, or neither; a token in stock ignores the date', () => {
    expect(errorsOf(form({ accountId: '222222222222' })).userName![0]).toMatch(/Give the IAM user name/);
    expect(errorsOf(form({ userName: 'alice' })).accountId).toEqual(['Choose the account of the IAM user it is issued to.']);
    expect(errorsOf(form({ accountId: '2222', userName: 'alice' })).accountId).toEqual(['Enter a 12-digit account id.']);
    expect(schema.parse(form({ issuedAt: '2026-03-01' })).issue).toBeNull();
  });

  it('refuses a date in the future, allowing today in any time zone', () => {
    expect(errorsOf(form({ accountId: '222222222222', userName: 'alice', issuedAt: '2026-03-12' })).issuedAt).toEqual(['The issue date cannot be in the future.']);
    // 12:00 UTC on the 10th is already the 11th east of UTC+12.
    expect(errorsOf(form({ accountId: '222222222222', userName: 'alice', issuedAt: '2026-03-11' }))).toEqual({});
    expect(errorsOf(form({ accountId: '222222222222', userName: 'alice', issuedAt: '1999-12-31' })).issuedAt![0]).toMatch(/before 2000/);
  });

  it('parses real calendar days only', () => {
    expect(parseDay('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    for (const bad of ['2025-02-29', '2026-13-01', '2026-3-1', '01/03/2026', '2026-03-01T10:00']) expect(parseDay(bad), bad).toBeNull();
  });
});

describe('register filters', () => {
  it('reads the URL, dropping what it does not understand', () => {
    expect(parseTokenFilters({ filter: 'issued-not-enrolled', q: ' alice ', page: '2' })).toEqual({ filter: 'issued-not-enrolled', q: 'alice', page: 2 });
    expect(parseTokenFilters({ filter: 'bogus', q: ['a', 'b'], page: '-1' })).toEqual({ filter: 'all', q: undefined, page: 1 });
  });
  it('writes only what differs from the defaults', () => {
    expect(tokenFiltersToSearch({ filter: 'all', q: undefined, page: 1 })).toBe('');
    expect(tokenFiltersToSearch({ filter: 'unissued', q: 'GA HT', page: 3 })).toBe('filter=unissued&q=GA+HT&page=3');
  });
});

describe('CSV import parsing', () => {
  const header = 'serial,model,accountId,userName,issuedAt';

  it('splits quoted fields', () => {
    expect(splitCsvLine('a,"b, c",d')).toEqual(['a', 'b, c', 'd']);
    expect(splitCsvLine('a,"say ""hi""",')).toEqual(['a', 'say "hi"', '']);
    expect(splitCsvLine('a,"open')).toBeNull();
  });

  it('reads issued and stock tokens, skipping blank lines, with CRLF and a BOM', () => {
    const text = `\uFEFF${header}\r\nGAHT00000001,SafeNet OTP 110,222222222222,alice,2026-01-15\r\n\r\ngaht00000002,"Token, model 2",,,\r\nGAHT00000003,Feitian C200,111111111111,bob,\r\n`;
    const parsed = parseTokenCsv(text, NOW, ACCOUNTS);
    expect(parsed).toEqual({
      ok: true,
      tokens: [
        { line: 2, token: { serial: 'GAHT00000001', model: 'SafeNet OTP 110', issue: { accountId: '222222222222', userName: 'alice', issuedAt: new Date('2026-01-15T00:00:00Z') }, note: null } },
        { line: 4, token: { serial: 'GAHT00000002', model: 'Token, model 2', issue: null, note: null } },
        { line: 5, token: { serial: 'GAHT00000003', model: 'Feitian C200', issue: { accountId: '111111111111', userName: 'bob', issuedAt: new Date('2026-03-10T00:00:00Z') }, note: null } },
      ],
    });
  });

  it('reads spaces before a quoted field, a quote inside a field, and numbers lines split by a lone CR', () => {
    const text = `${header}\rGAHT00000001, "Model, with comma",222222222222, alice\r\rGAHT00000002,Model 7" rack,,,\rbad serial,x,,,`;
    const parsed = parseTokenCsv(text, NOW, ACCOUNTS);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual([5]);
    const good = parseTokenCsv(text.slice(0, text.lastIndexOf('\r')), NOW, ACCOUNTS);
    expect(good.ok && good.tokens.map((t) => [t.line, t.token.model])).toEqual([
      [2, 'Model, with comma'],
      [4, 'Model 7" rack'],
    ]);
  });

  it('accepts a header in any letter case and short lines (trailing columns empty)', () => {
    const parsed = parseTokenCsv(`SERIAL,Model,AccountID,UserName,IssuedAt\nGAHT00000001,SafeNet OTP 110`, NOW, ACCOUNTS);
    expect(parsed.ok && parsed.tokens.map((t) => t.token.issue)).toEqual([null]);
  });

  it('reports every bad line by its number, and returns no tokens', () => {
    const text = [
      header,
      'GAHT00000001,SafeNet OTP 110,222222222222,alice,2026-01-15', // 2: fine
      'bad serial,SafeNet OTP 110,,,', // 3
      'GAHT00000004,,999999999999,alice,', // 4
      'GAHT00000005,Model,222222222222,,2027-01-01', // 5
      'gaht00000001,Again,,,', // 6: duplicate of line 2 once upper-cased
      'GAHT00000007,"unclosed,,,', // 7
      'GAHT00000008,a,b,c,d,e', // 8
    ].join('\n');
    const parsed = parseTokenCsv(text, NOW, ACCOUNTS);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(parsed.errors[0]!.message).toMatch(/^serial: A token serial has only letters, digits/);
    expect(parsed.errors[1]!.message).toBe('model: Give the model, e.g. SafeNet OTP 110.; accountId: Account 999999999999 is not one of the accounts this portal manages.');
    expect(parsed.errors[2]!.message).toMatch(/^userName: Give the IAM user name.*; issuedAt: The issue date cannot be in the future\.$/);
    expect(parsed.errors[3]!.message).toBe('serial: GAHT00000001 is also on line 2.');
    expect(parsed.errors[4]!.message).toMatch(/quoted field is not closed/);
    expect(parsed.errors[5]!.message).toMatch(/It has 6 fields; expected at most 5/);
    expect(csvErrorText(parsed.errors[3]!)).toBe('Line 6: serial: GAHT00000001 is also on line 2.');
  });

  it('needs the header first, and at least one token', () => {
    expect(parseTokenCsv('GAHT00000001,SafeNet OTP 110,,,', NOW, ACCOUNTS)).toEqual({ ok: false, errors: [{ line: 1, message: `The first line must be the header ${header}.` }] });
    expect(parseTokenCsv('\n\nserial,model\nGAHT00000001,x', NOW, ACCOUNTS)).toEqual({ ok: false, errors: [{ line: 3, message: `The first line must be the header ${header}.` }] });
    expect(parseTokenCsv('', NOW, ACCOUNTS)).toMatchObject({ ok: false, errors: [{ line: 1 }] });
    expect(parseTokenCsv(`${header}\n\n`, NOW, ACCOUNTS)).toMatchObject({ ok: false, errors: [{ message: 'There are no tokens after the header.' }] });
  });

  it('limits one import', () => {
    const lines = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `GAHT${String(i).padStart(8, '0')},M`);
    const parsed = parseTokenCsv([header, ...lines].join('\n'), NOW, ACCOUNTS);
    expect(parsed).toEqual({ ok: false, errors: [{ line: MAX_IMPORT_ROWS + 2, message: `Import at most ${MAX_IMPORT_ROWS} tokens at a time: split the file.` }] });
    expect(parseTokenCsv([header, ...lines.slice(0, MAX_IMPORT_ROWS)].join('\n'), NOW, ACCOUNTS).ok).toBe(true);
    expect(parseTokenCsv('x'.repeat(300_000), NOW, ACCOUNTS)).toMatchObject({ ok: false, errors: [{ line: 0 }] });
  });
});
