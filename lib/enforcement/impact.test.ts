import { describe, expect, it } from 'vitest';
import { deniedUsers, tagDrift, tagValue, type ImpactUser } from './impact';
import { changedLines, lineDiff } from './diff';

const d = (s: string) => new Date(s);
const program = { cohorts: [{ cohort: 'prod', deadline: d('2027-01-31T17:00:00Z') }, { cohort: 'dev', deadline: d('2027-03-01T17:00:00Z') }], defaultCohort: 'dev', groups: ['mfa-enforced'] };
const user = (p: Partial<ImpactUser>): ImpactUser => ({ accountId: '111111111111', userName: 'u', groups: ['mfa-enforced'], tags: {}, devices: [], consoleAccess: true, activeException: false, decision: 'required', ...p });

describe('deniedUsers', () => {
  it('denies users in an enforced group without MFA from their cohort deadline; the default cohort takes the untagged', () => {
    const out = deniedUsers(
      [
        user({ userName: 'tagged', tags: { 'mfa-cohort': 'prod' } }),
        user({ userName: 'untagged' }),
        user({ userName: 'has-mfa', devices: [{}] }),
        user({ userName: 'exempt', tags: { 'MFA-Exempt': 'true' } }),
        user({ userName: 'exempt-false', tags: { 'mfa-exempt': 'false', 'mfa-cohort': 'prod' } }),
        user({ userName: 'other-group', groups: ['developers'] }),
        user({ userName: 'unknown-cohort', tags: { 'mfa-cohort': 'gone' } }),
      ],
      program,
    );
    expect(out.map((u) => [u.userName, u.cohort, u.from.toISOString()])).toEqual([
      ['exempt-false', 'prod', '2027-01-31T17:00:00.000Z'],
      ['tagged', 'prod', '2027-01-31T17:00:00.000Z'],
      ['untagged', 'dev', '2027-03-01T17:00:00.000Z'],
    ]);
  });
  it('without a default cohort the untagged are not enforced', () => {
    expect(deniedUsers([user({})], { ...program, defaultCohort: null })).toEqual([]);
  });
});

describe('tagDrift', () => {
  it('wants the category cohort and mfa-exempt=true only for an active exception; reads keys in any case', () => {
    expect(tagValue({ 'MFA-Cohort': 'x' }, 'mfa-cohort')).toBe('x');
    expect(tagDrift({ accountId: 'a', userName: 'u', tags: { 'MFA-Cohort': 'old', 'mfa-exempt': 'true' }, cohort: 'prod', activeException: false })).toEqual([
      { accountId: 'a', userName: 'u', key: 'mfa-cohort', actualKey: 'MFA-Cohort', actual: 'old', desired: 'prod' },
      { accountId: 'a', userName: 'u', key: 'mfa-exempt', actualKey: 'mfa-exempt', actual: 'true', desired: null },
    ]);
    expect(tagDrift({ accountId: 'a', userName: 'u', tags: { 'mfa-cohort': 'prod' }, cohort: 'prod', activeException: false })).toEqual([]);
  });
});

describe('lineDiff', () => {
  it('keeps common lines and marks the changed ones', () => {
    const diff = lineDiff('a\nb\nc', 'a\nx\nc\nd');
    expect(diff).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'remove', text: 'b' },
      { kind: 'add', text: 'x' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ]);
    expect(changedLines(diff)).toBe(3);
    expect(lineDiff('', 'a')).toEqual([{ kind: 'add', text: 'a' }]);
  });
});
