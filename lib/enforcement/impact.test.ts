import { describe, expect, it } from 'vitest';
import { cohortOf, deniedUsers, denialOf, tagDrift, tagValue, type ImpactUser } from './impact';
import { changedLines, lineDiff } from './diff';

const d = (s: string) => new Date(s);
const program = { cohorts: [{ cohort: 'prod', deadline: d('2027-01-31T17:00:00Z') }, { cohort: 'dev', deadline: d('2027-03-01T17:00:00Z') }], defaultCohort: 'dev', groups: ['mfa-enforced'] };
const user = (p: Partial<ImpactUser>): ImpactUser => ({ accountId: '111111111111', userName: 'u', groups: ['mfa-enforced'], tags: {}, devices: [], consoleAccess: true, accessKeyLastUsed: null, activeException: false, decision: 'required', ...p });

describe('deniedUsers', () => {
  const keysUsed = d('2026-05-01T08:00:00Z');
  it('denies everything to users in an enforced group without MFA from their cohort deadline; the default cohort takes the untagged and unknown tags', () => {
    const out = deniedUsers(
      [
        user({ userName: 'tagged', tags: { 'mfa-cohort': 'prod' } }),
        user({ userName: 'untagged' }),
        user({ userName: 'has-mfa', devices: [{}] }),
        user({ userName: 'exempt', tags: { 'MFA-Exempt': 'true' } }),
        user({ userName: 'exempt-false', tags: { 'mfa-exempt': 'false', 'mfa-cohort': 'prod' } }),
        user({ userName: 'other-group', groups: ['developers'] }),
        // A category that was deleted: the policy's default statement takes every tag that names no other cohort.
        user({ userName: 'unknown-cohort', tags: { 'mfa-cohort': 'gone' } }),
        // Tag values compare exactly (StringEquals): 'Prod' is not the prod cohort.
        user({ userName: 'cohort-case', tags: { 'mfa-cohort': 'Prod' } }),
      ],
      program,
    );
    expect(out.map((u) => [u.userName, u.cohort, u.from.toISOString(), u.denied])).toEqual([
      ['exempt-false', 'prod', '2027-01-31T17:00:00.000Z', 'everything'],
      ['tagged', 'prod', '2027-01-31T17:00:00.000Z', 'everything'],
      ['cohort-case', 'dev', '2027-03-01T17:00:00.000Z', 'everything'],
      ['unknown-cohort', 'dev', '2027-03-01T17:00:00.000Z', 'everything'],
      ['untagged', 'dev', '2027-03-01T17:00:00.000Z', 'everything'],
    ]);
  });

  it('users with an MFA device whose access keys are used: their key calls are denied without an MFA session', () => {
    const out = deniedUsers(
      [
        user({ userName: 'mfa-console-only', devices: [{}], tags: { 'mfa-cohort': 'prod' } }),
        user({ userName: 'mfa-and-keys', devices: [{}], tags: { 'mfa-cohort': 'prod' }, accessKeyLastUsed: keysUsed }),
        user({ userName: 'mfa-keys-only', devices: [{}], consoleAccess: false, accessKeyLastUsed: keysUsed }),
        user({ userName: 'mfa-keys-exempt', devices: [{}], tags: { 'mfa-exempt': 'true' }, accessKeyLastUsed: keysUsed }),
        user({ userName: 'mfa-keys-other-group', devices: [{}], groups: ['developers'], accessKeyLastUsed: keysUsed }),
        user({ userName: 'no-mfa-and-keys', tags: { 'mfa-cohort': 'prod' }, accessKeyLastUsed: keysUsed }),
      ],
      program,
    );
    expect(out.map((u) => [u.userName, u.cohort, u.denied])).toEqual([
      ['mfa-and-keys', 'prod', 'access-keys'],
      ['no-mfa-and-keys', 'prod', 'everything'],
      ['mfa-keys-only', 'dev', 'access-keys'],
    ]);
  });

  it('without a default cohort the untagged and unknown tags are not enforced', () => {
    const none = { ...program, defaultCohort: null };
    expect(deniedUsers([user({}), user({ userName: 'gone', tags: { 'mfa-cohort': 'gone' } })], none)).toEqual([]);
    expect(cohortOf({ 'MFA-COHORT': 'prod' }, none)).toBe('prod');
    expect(cohortOf({ 'mfa-cohort': 'gone' }, none)).toBeNull();
  });

  it('denialOf: a caller that knows the user signs with keys (the portal itself) counts a device-holder as denied', () => {
    const portal = user({ userName: 'mfa-portal', devices: [{}], consoleAccess: false });
    expect(denialOf(portal, program)).toBeNull();
    expect(denialOf(portal, program, true)).toMatchObject({ cohort: 'dev', denied: 'access-keys' });
    expect(denialOf({ ...portal, tags: { 'mfa-exempt': 'true' } }, program, true)).toBeNull();
    expect(denialOf({ ...portal, groups: [] }, program, true)).toBeNull();
  });

  it('a user with a window (mfa-window tag) is denied from the window’s end, not the cohort’s; a tag that is no end is not counted', () => {
    const extended = user({ userName: 'extended', tags: { 'mfa-cohort': 'prod', 'MFA-Window': '2027-02-14T00:00Z' } });
    expect(denialOf(extended, program)).toMatchObject({ cohort: 'prod', from: d('2027-02-14T00:00:00Z'), denied: 'everything' });
    expect(denialOf({ ...extended, tags: { 'mfa-window': 'soon' } }, program)).toBeNull();
    expect(denialOf({ ...extended, tags: { ...extended.tags, 'mfa-exempt': 'true' } }, program)).toBeNull();
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
