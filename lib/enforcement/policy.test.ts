import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPolicy, checkSize, POLICY_MAX_CHARS, policyJson, SELF_SERVICE_ACTIONS, sidPart } from './policy';

const d = (s: string) => new Date(s);
const base = {
  cohorts: [
    { cohort: 'prod-admins', deadline: d('2027-01-31T17:00:00Z') },
    { cohort: 'dev', deadline: d('2027-03-01T17:00:00Z') },
  ],
  defaultCohort: 'dev',
  portalRoleName: 'MfaPortalMember',
};

describe('buildPolicy', () => {
  it('one deny per cohort, sorted, plus the tag guard', () => {
    const doc = buildPolicy(base);
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['DenyWithoutMfaDev', 'DenyWithoutMfaProdAdmins', 'OnlyThePortalChangesMfaTags']);
    const prod = doc.Statement[1]!;
    expect(prod.NotAction).toEqual([...SELF_SERVICE_ACTIONS]);
    expect(prod.Condition).toEqual({
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      DateGreaterThan: { 'aws:CurrentTime': '2027-01-31T17:00:00Z' },
      StringEquals: { 'aws:PrincipalTag/mfa-cohort': 'prod-admins' },
      StringNotEqualsIfExists: { 'aws:PrincipalTag/mfa-exempt': 'true' },
    });
    expect(doc.Statement[0]!.Condition.StringEqualsIfExists).toEqual({ 'aws:PrincipalTag/mfa-cohort': 'dev' });
    expect(doc.Statement[2]!.Condition.ArnNotLike).toEqual({ 'aws:PrincipalArn': 'arn:aws:iam::*:role/MfaPortalMember' });
  });

  it('keeps the first-sign-in and CLI escape hatches in the self-service set', () => {
    for (const a of ['iam:ChangePassword', 'iam:GetAccountPasswordPolicy', 'sts:GetSessionToken']) expect(SELF_SERVICE_ACTIONS).toContain(a);
  });

  it('property: the same program in any order gives byte-identical JSON', () => {
    const arb = fc.uniqueArray(fc.record({ cohort: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), days: fc.integer({ min: 0, max: 900 }) }), { selector: (c) => c.cohort, maxLength: 8 });
    fc.assert(
      fc.property(arb, (list) => {
        const cohorts = list.map((c) => ({ cohort: c.cohort, deadline: new Date(Date.UTC(2027, 0, 1) + c.days * 86_400_000) }));
        const a = policyJson(buildPolicy({ cohorts, defaultCohort: null, portalRoleName: 'R' }));
        const b = policyJson(buildPolicy({ cohorts: [...cohorts].reverse(), defaultCohort: null, portalRoleName: 'R' }));
        return a === b;
      }),
    );
  });

  it('refuses a duplicate cohort and a default cohort without a deadline', () => {
    expect(() => buildPolicy({ ...base, cohorts: [...base.cohorts, base.cohorts[0]!] })).toThrow(/twice/);
    expect(() => buildPolicy({ ...base, defaultCohort: 'nope' })).toThrow(/no deadline/);
  });

  it('Sids are letters and digits only', () => {
    expect(sidPart('prod-admins-2')).toBe('ProdAdmins2');
  });
});

describe('checkSize', () => {
  it('passes a normal program and says what to merge when too many cohorts do not fit', () => {
    expect(checkSize(buildPolicy(base))).toMatchObject({ ok: true });
    const many = Array.from({ length: 20 }, (_, i) => ({ cohort: `wave-${String(i).padStart(2, '0')}`, deadline: d(i % 2 ? '2027-01-31T17:00:00Z' : '2027-02-28T17:00:00Z') }));
    const r = checkSize(buildPolicy({ cohorts: many, defaultCohort: null, portalRoleName: 'MfaPortalMember' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.chars).toBeGreaterThan(POLICY_MAX_CHARS);
    expect(r.message).toMatch(/merge at least \d+ cohorts/);
    expect(r.message).toContain('wave-01 + wave-03');
  });
});
