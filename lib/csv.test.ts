import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvDocument, csvField, csvLine, isUnclosedQuote, readCsv } from './csv';

const parseCsvLine = (line: string) => readCsv(line)[0] ?? [''];

describe('csvField', () => {
  it('neutralises spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('plain')).toBe('plain');
  });

  it('neutralises a leading space, tab, newline and the full-width formula characters', () => {
    expect(csvField(' =cmd')).toBe("' =cmd");
    expect(csvField('\t=cmd')).toBe("'\t=cmd");
    expect(csvField('\n=cmd')).toBe(`"'\n=cmd"`);
    expect(csvField('\r=cmd')).toBe(`"'\r=cmd"`);
    for (const c of ['＝', '＋', '－', '＠']) expect(csvField(`${c}SUM(A1)`)).toBe(`'${c}SUM(A1)`);
    expect(csvField('a =b')).toBe('a =b');
  });

  it('round-trips any field value (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const back = parseCsvLine(csvField(s))[0];
        expect(back).toBe(/^[=+\-@\t\r\n \uFF1D\uFF0B\uFF0D\uFF20]/.test(s) ? `'${s}` : s);
      }),
    );
  });
});

describe('csvLine and csvDocument', () => {
  it('writes null as an empty cell, other values as text, and CRLF after every record', () => {
    expect(csvLine(['a', 1, true, null, 'b,c'])).toBe('a,1,true,,"b,c"');
    expect(csvDocument([csvLine(['h1', 'h2']), '', csvLine(['=x', 'y'])])).toBe("h1,h2\r\n\r\n'=x,y\r\n");
  });
});

describe('readCsv', () => {
  const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é', 'z'), maxLength: 8 });
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

  it('round-trips any table written as RFC 4180 CSV', () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const text = rows.map((r) => r.map(quote).join(',')).join('\r\n');
        expect(readCsv(text)).toEqual(rows);
      }),
    );
  });


  it('reads quoted commas, doubled quotes and line breaks inside quotes', () => {
    expect(readCsv('a,"b, c",d\n"say ""hi""","x\ny",')).toEqual([
      ['a', 'b, c', 'd'],
      ['say "hi"', 'x\ny', ''],
    ]);
  });

  it('ends records at CRLF, LF or a lone CR, and reads rows of different lengths', () => {
    expect(readCsv('a,b\r\nc\nd,e,f\rg,h\r\n')).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f'], ['g', 'h']]);
  });

  it('drops a byte-order mark only when asked, and blank lines only when asked', () => {
    expect(readCsv('\uFEFFuser,arn\r\n\r\nalice,x', { bom: true, skipEmptyLines: true })).toEqual([['user', 'arn'], ['alice', 'x']]);
    expect(readCsv('\uFEFFuser,arn\r\n\r\nalice,x')).toEqual([['\uFEFFuser', 'arn'], [''], ['alice', 'x']]);
  });

  it('keeps a quote inside an unquoted field as text; trims before a field only when asked', () => {
    expect(readCsv('ab"c,d')).toEqual([['ab"c', 'd']]);
    expect(readCsv('a, "b, c"', { trimBeforeField: true })).toEqual([['a', 'b, c']]);
    expect(readCsv(' a,b')).toEqual([[' a', 'b']]);
  });

  it('throws on a quoted field that is not closed', () => {
    let error: unknown;
    try {
      readCsv('a,"open\nb,c');
    } catch (e) {
      error = e;
    }
    expect(isUnclosedQuote(error)).toBe(true);
    expect(isUnclosedQuote(new Error('other'))).toBe(false);
  });
});
