import { describe, expect, it } from 'vitest';
import { actionMatch, actionOptions, auditFiltersToSearch, dateRange, invalidAuditParams, parseAuditFilters, rangeIsEmpty, withoutPaging } from './filters';

describe('parseAuditFilters', () => {
  it('defaults to the first page of 50 with no filter', () => {
    expect(parseAuditFilters({})).toEqual({ page: 1, pageSize: 50 });
  });

  it('reads every filter, trimmed, and treats blanks as absent', () => {
    expect(
      parseAuditFilters({ action: ' auth.sign-in ', actor: ' Carol ', target: 'arn:aws:iam::111111111111:user/alice', outcome: 'denied', from: '2025-01-01', to: '2025-01-31', page: '3', pageSize: '100', other: 'x' }),
    ).toEqual({ action: 'auth.sign-in', actor: 'Carol', target: 'arn:aws:iam::111111111111:user/alice', outcome: 'denied', from: '2025-01-01', to: '2025-01-31', page: 3, pageSize: 100 });
    expect(parseAuditFilters({ action: '', actor: '  ', outcome: '', from: '' })).toEqual({ page: 1, pageSize: 50 });
  });

  it('accepts a prefix ending in .* and refuses other wildcards', () => {
    expect(parseAuditFilters({ action: 'program.*' }).action).toBe('program.*');
    expect(parseAuditFilters({ action: 'program.settings.*' }).action).toBe('program.settings.*');
    for (const bad of ['*', 'program*', 'program.%', "x'; drop table", 'a..b', '.*']) expect(parseAuditFilters({ action: bad }).action, bad).toBeUndefined();
  });

  it('accepts only actions of the typed list, or a prefix of some of them', () => {
    expect(parseAuditFilters({ action: 'device.deactivate-lost' }).action).toBe('device.deactivate-lost');
    expect(parseAuditFilters({ action: 'enrollment.virtual.*' }).action).toBe('enrollment.virtual.*');
    for (const unknown of ['programme.update', 'nothing.*', 'auth.sign']) expect(parseAuditFilters({ action: unknown }).action, unknown).toBeUndefined();
  });

  it('drops only the malformed params, and names them', () => {
    const params = { outcome: 'maybe', from: '2025-02-30', to: '31/01/2025', actor: 'carol', page: '0', pageSize: '5000' };
    expect(parseAuditFilters(params)).toEqual({ actor: 'carol', page: 1, pageSize: 50 });
    expect(invalidAuditParams(params).sort()).toEqual(['from', 'outcome', 'page', 'pageSize', 'to']);
    expect(invalidAuditParams({ actor: 'carol' })).toEqual([]);
  });

  it('ignores repeated params rather than guessing which one was meant', () => {
    expect(parseAuditFilters({ outcome: ['success', 'failure'] })).toEqual({ page: 1, pageSize: 50 });
  });

  it('drops free-text filters with control characters (they could not be matched, nor recorded with the export)', () => {
    expect(parseAuditFilters({ actor: 'carol\u0000', target: 'alice\t' })).toEqual({ page: 1, pageSize: 50 });
    expect(invalidAuditParams({ actor: 'carol\u0000' })).toEqual(['actor']);
  });

  it('bounds the free-text filters', () => {
    expect(parseAuditFilters({ actor: 'a'.repeat(201) }).actor).toBeUndefined();
    expect(parseAuditFilters({ target: 'a'.repeat(500) }).target).toHaveLength(500);
  });
});

describe('the search string', () => {
  it('round-trips through the parser and leaves out what is unset', () => {
    const f = parseAuditFilters({ action: 'program.*', actor: 'a&b=c', from: '2025-01-01', page: '2' });
    const search = auditFiltersToSearch(f);
    expect(search).toBe('action=program.*&actor=a%26b%3Dc&from=2025-01-01&page=2&pageSize=50');
    expect(parseAuditFilters(Object.fromEntries(new URLSearchParams(search)))).toEqual(f);
  });

  it('drops the page for exports', () => {
    expect(withoutPaging({ outcome: 'failure', page: 4, pageSize: 200 })).toEqual({ outcome: 'failure' });
  });
});

describe('actionMatch', () => {
  it('tells an exact action from a prefix', () => {
    expect(actionMatch('auth.sign-in')).toEqual({ kind: 'exact', action: 'auth.sign-in' });
    expect(actionMatch('program.*')).toEqual({ kind: 'prefix', prefix: 'program.' });
  });
});

describe('dateRange', () => {
  it('covers both days whole, in UTC', () => {
    expect(dateRange({ from: '2025-01-31', to: '2025-01-31' })).toEqual({ since: new Date('2025-01-31T00:00:00.000Z'), before: new Date('2025-02-01T00:00:00.000Z') });
    expect(dateRange({ to: '2024-12-31' })).toEqual({ since: undefined, before: new Date('2025-01-01T00:00:00.000Z') });
    expect(dateRange({ to: '2024-02-28' }).before).toEqual(new Date('2024-02-29T00:00:00.000Z'));
    expect(dateRange({})).toEqual({ since: undefined, before: undefined });
  });

  it('notices a range that cannot match', () => {
    expect(rangeIsEmpty({ from: '2025-02-01', to: '2025-01-31' })).toBe(true);
    expect(rangeIsEmpty({ from: '2025-01-31', to: '2025-01-31' })).toBe(false);
    expect(rangeIsEmpty({ from: '2025-02-01' })).toBe(false);
  });
});

describe('actionOptions', () => {
  it('offers a family prefix where a family has several actions, sorted before its members', () => {
    expect(actionOptions(['auth.sign-in', 'auth.sign-out', 'inventory.export', 'program.category.create', 'program.settings.update'])).toEqual([
      'auth.*',
      'auth.sign-in',
      'auth.sign-out',
      'inventory.export',
      'program.*',
      'program.category.create',
      'program.settings.update',
    ]);
  });

  it('keeps the current choice even when no entry has it yet', () => {
    expect(actionOptions(['auth.sign-in'], 'program.*')).toEqual(['program.*', 'auth.sign-in']);
    expect(actionOptions(['auth.sign-in'], 'auth.sign-in')).toEqual(['auth.sign-in']);
  });
});
