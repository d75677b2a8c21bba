import { describe, expect, it } from 'vitest';
import { filtersToSearch, parseUserFilters } from './user-filters';

describe('users table filters', () => {
  it('reads the program filters: category (id or none), decision, scope, gap', () => {
    const f = parseUserFilters({ category: '12', decision: 'expired-exception', scope: 'in', mfa: 'gap' });
    expect(f).toMatchObject({ category: '12', decision: 'expired-exception', scope: 'in', mfa: 'gap' });
    expect(parseUserFilters({ category: 'none' }).category).toBe('none');
    expect(parseUserFilters({ mfa: 'compliant' }).mfa).toBe('compliant');
  });
  it('drops malformed values and keeps the rest', () => {
    const f = parseUserFilters({ category: '0', decision: 'maybe', scope: 'all', account: '111111111111', sort: 'category' });
    expect(f.category).toBeUndefined();
    expect(f.decision).toBeUndefined();
    expect(f.scope).toBeUndefined();
    expect(f).toMatchObject({ account: '111111111111', sort: 'category' });
    expect(parseUserFilters({ category: '1; drop table' }).category).toBeUndefined();
  });
  it('round-trips through the query string', () => {
    const f = parseUserFilters({ category: '3', decision: 'exception', console: 'yes', page: '2' });
    expect(parseUserFilters(Object.fromEntries(new URLSearchParams(filtersToSearch(f))))).toEqual(f);
  });
});
