import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_DB_ID, parseDbId, safeDecode } from './params';

describe('URL parameters', () => {
  it('accepts a database id and refuses huge, negative, fractional, exponent and NUL-carrying ones', () => {
    expect(parseDbId('1')).toBe(1);
    expect(parseDbId(String(MAX_DB_ID))).toBe(MAX_DB_ID);
    for (const bad of [String(MAX_DB_ID + 1), '1e30', '-1', '0', '1.5', '01', '1\u0000', ' 1', '', '99999999999999999999', undefined, ['1']]) expect(parseDbId(bad)).toBeNull();
  });

  it('never yields an id outside the integer column (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const id = parseDbId(s);
        if (id !== null) expect(Number.isSafeInteger(id) && id >= 1 && id <= MAX_DB_ID).toBe(true);
      }),
    );
  });

  it('decodes a malformed escape to null instead of throwing', () => {
    expect(safeDecode('jane%2Bdoe')).toBe('jane+doe');
    expect(safeDecode('%E0%A4%A')).toBeNull();
    expect(safeDecode('%')).toBeNull();
  });
});
