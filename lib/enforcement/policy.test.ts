import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPolicy, checkSize, cohortSids, POLICY_MAX_CHARS, policyJson, SELF_SERVICE_ACTIONS, sidPart } from './policy';

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
      // A user with a window (mfa-window tag) is judged by the window policy only.
      Null: { 'aws:PrincipalTag/mfa-window': 'true' },
    });
    // The default cohort: no tag, its own tag, or a tag naming no other cohort of the program.
    expect(doc.Statement[0]!.Condition).toEqual({
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      DateGreaterThan: { 'aws:CurrentTime': '2027-03-01T17:00:00Z' },
      StringNotEqualsIfExists: { 'aws:PrincipalTag/mfa-cohort': ['prod-admins'], 'aws:PrincipalTag/mfa-exempt': 'true' },
      // A user with a window (mfa-window tag) is judged by the window policy only.
      Null: { 'aws:PrincipalTag/mfa-window': 'true' },
    });
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

  it('the default cohort alone takes everyone: no cohort condition (IAM refuses an empty list)', () => {
    const doc = buildPolicy({ cohorts: [base.cohorts[1]!], defaultCohort: 'dev', portalRoleName: 'R' });
    expect(doc.Statement[0]!.Condition).toEqual({
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      DateGreaterThan: { 'aws:CurrentTime': '2027-03-01T17:00:00Z' },
      StringNotEqualsIfExists: { 'aws:PrincipalTag/mfa-exempt': 'true' },
      // A user with a window (mfa-window tag) is judged by the window policy only.
      Null: { 'aws:PrincipalTag/mfa-window': 'true' },
    });
  });

  it('Sids are letters and digits only', () => {
    expect(sidPart('prod-admins-2')).toBe('ProdAdmins2');
  });

  it('Sids are unique also when cohorts differ only in punctuation or case, suffixed in sorted order', () => {
    // '-' sorts before '2' and 'A' before 'a': the first of each clash keeps the plain Sid.
    expect(cohortSids(['prod-admins-2', 'prod-admins2'])).toEqual(['DenyWithoutMfaProdAdmins2', 'DenyWithoutMfaProdAdmins22']);
    // A suffix never takes another cohort's own Sid: prod-admins-22 keeps ProdAdmins22, so the clash gets 23.
    expect(cohortSids(['prod-admins-2', 'prod-admins-22', 'prod-admins2'])).toEqual(['DenyWithoutMfaProdAdmins2', 'DenyWithoutMfaProdAdmins22', 'DenyWithoutMfaProdAdmins23']);
    expect(cohortSids(['Prod-Admins', 'prod-admins', 'prodAdmins', 'prod_admins'])).toEqual(['DenyWithoutMfaProdAdmins', 'DenyWithoutMfaProdAdmins2', 'DenyWithoutMfaProdAdmins3', 'DenyWithoutMfaProdAdmins4']);

    const doc = buildPolicy({ cohorts: [{ cohort: 'prod-admins2', deadline: d('2027-02-01T00:00:00Z') }, { cohort: 'prod-admins-2', deadline: d('2027-01-01T00:00:00Z') }], defaultCohort: null, portalRoleName: 'R' });
    expect(doc.Statement.map((s) => [s.Sid, s.Condition.StringEquals?.['aws:PrincipalTag/mfa-cohort'] ?? null])).toEqual([
      ['DenyWithoutMfaProdAdmins2', 'prod-admins-2'],
      ['DenyWithoutMfaProdAdmins22', 'prod-admins2'],
      ['OnlyThePortalChangesMfaTags', null],
    ]);
  });

  it('property: every Sid in a policy is unique and letters and digits only', () => {
    const arb = fc.uniqueArray(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,8}$/), { maxLength: 12 });
    fc.assert(
      fc.property(arb, (names) => {
        const sids = buildPolicy({ cohorts: names.map((cohort) => ({ cohort, deadline: d('2027-01-01T00:00:00Z') })), defaultCohort: null, portalRoleName: 'R' }).Statement.map((s) => s.Sid);
        return new Set(sids).size === sids.length && sids.every((sid) => /^[A-Za-z0-9]+$/.test(sid));
      }),
    );
  });
});

describe('golden: the exact document', () => {
  const staff = { cohort: 'staff', deadline: d('2027-06-30T17:00:00Z') };
  const prod = { cohort: 'prod-admins', deadline: d('2027-01-31T17:00:00Z') };
  const dev = { cohort: 'dev', deadline: d('2027-03-01T09:30:00Z') };
  const program = (cohorts: { cohort: string; deadline: Date }[]) => ({ cohorts, defaultCohort: 'staff', portalRoleName: 'MfaPortalMember' });
  // Written out by hand, not built from the generator's constants: any change to the document shows here.
  const selfService =
    '"NotAction":["iam:ChangePassword","iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice","iam:EnableMFADevice","iam:GetAccountPasswordPolicy","iam:GetMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"]';
  const EXPECTED =
    '{"Version":"2012-10-17","Statement":[' +
    `{"Sid":"DenyWithoutMfaDev","Effect":"Deny",${selfService},"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"DateGreaterThan":{"aws:CurrentTime":"2027-03-01T09:30:00Z"},"StringEquals":{"aws:PrincipalTag/mfa-cohort":"dev"},"StringNotEqualsIfExists":{"aws:PrincipalTag/mfa-exempt":"true"},"Null":{"aws:PrincipalTag/mfa-window":"true"}}},` +
    `{"Sid":"DenyWithoutMfaProdAdmins","Effect":"Deny",${selfService},"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"DateGreaterThan":{"aws:CurrentTime":"2027-01-31T17:00:00Z"},"StringEquals":{"aws:PrincipalTag/mfa-cohort":"prod-admins"},"StringNotEqualsIfExists":{"aws:PrincipalTag/mfa-exempt":"true"},"Null":{"aws:PrincipalTag/mfa-window":"true"}}},` +
    `{"Sid":"DenyWithoutMfaStaff","Effect":"Deny",${selfService},"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"DateGreaterThan":{"aws:CurrentTime":"2027-06-30T17:00:00Z"},"StringNotEqualsIfExists":{"aws:PrincipalTag/mfa-cohort":["dev","prod-admins"],"aws:PrincipalTag/mfa-exempt":"true"},"Null":{"aws:PrincipalTag/mfa-window":"true"}}},` +
    '{"Sid":"OnlyThePortalChangesMfaTags","Effect":"Deny","Action":["iam:CreateUser","iam:TagUser","iam:UntagUser"],"Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["mfa-*","mfA-*","mFa-*","mFA-*","Mfa-*","MfA-*","MFa-*","MFA-*"]},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/MfaPortalMember"}}}' +
    ']}';

  it('a default cohort and two named cohorts give exactly this JSON', () => {
    expect(policyJson(buildPolicy(program([staff, prod, dev])))).toBe(EXPECTED);
  });

  it('the categories in any other order give byte-identical JSON', () => {
    for (const order of [[dev, prod, staff], [prod, staff, dev], [staff, dev, prod]]) expect(policyJson(buildPolicy(program(order)))).toBe(EXPECTED);
  });
});

describe('golden: cohorts that count only certified security keys', () => {
  const staff = { cohort: 'staff', deadline: d('2027-06-30T17:00:00Z'), requireCertifiedKey: true };
  const prod = { cohort: 'prod-admins', deadline: d('2027-01-31T17:00:00Z'), requireCertifiedKey: true };
  const dev = { cohort: 'dev', deadline: d('2027-03-01T09:30:00Z') };
  const nulls = '"Null":{"iam:FIDO-certification":"true","iam:FIDO-FIPS-140-2-certification":"true","iam:FIDO-FIPS-140-3-certification":"true"}';

  it('add one deny of an uncertified key activation per such cohort, scoped like its MFA statement, after the others', () => {
    const doc = buildPolicy({ cohorts: [staff, prod, dev], defaultCohort: 'staff', portalRoleName: 'MfaPortalMember' });
    const json = policyJson(doc);
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['DenyWithoutMfaDev', 'DenyWithoutMfaProdAdmins', 'DenyWithoutMfaStaff', 'DenyUncertifiedKeyProdAdmins', 'DenyUncertifiedKeyStaff', 'OnlyThePortalChangesMfaTags']);
    expect(json).toContain(
      '{"Sid":"DenyUncertifiedKeyProdAdmins","Effect":"Deny","Action":["iam:EnableMFADevice"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/mfa-cohort":"prod-admins","iam:RegisterSecurityKey":"Activate"},"StringNotEqualsIfExists":{"aws:PrincipalTag/mfa-exempt":"true"},' +
        nulls +
        '}}',
    );
    expect(json).toContain(
      '{"Sid":"DenyUncertifiedKeyStaff","Effect":"Deny","Action":["iam:EnableMFADevice"],"Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalTag/mfa-cohort":["dev","prod-admins"],"aws:PrincipalTag/mfa-exempt":"true"},"StringEquals":{"iam:RegisterSecurityKey":"Activate"},' +
        nulls +
        '}}',
    );
    expect(checkSize(doc)).toMatchObject({ ok: true });
  });

  it('without such a cohort the document is the one above, byte for byte', () => {
    const plain = buildPolicy({ cohorts: [{ ...staff, requireCertifiedKey: false }, { ...prod, requireCertifiedKey: undefined }, dev], defaultCohort: 'staff', portalRoleName: 'MfaPortalMember' });
    expect(plain.Statement.some((s) => s.Sid.startsWith('DenyUncertifiedKey'))).toBe(false);
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
