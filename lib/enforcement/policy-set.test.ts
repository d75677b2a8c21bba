import { describe, expect, it } from 'vitest';
import { buildPolicy, POLICY_MAX_CHARS, policyJson, type Cohort } from './policy';
import { buildPolicySet, jumpHash, memberIndex, memberName, retiredDocument, type PolicySet } from './policy-set';

const deadline = (i: number) => new Date(Date.UTC(2027, 0, 1 + i, 17));
/** Realistic names: a team and an environment, up to 25 characters. */
const cohorts = (n: number, from = 0): Cohort[] => Array.from({ length: n }, (_, i) => ({ cohort: `team-${String(i + from).padStart(2, '0')}-production-ops`, deadline: deadline(i + from) }));
const program = (list: Cohort[], defaultCohort: string | null = null) => ({ cohorts: list, defaultCohort, portalRoleName: 'MfaPortalMember' });
const set = (list: Cohort[], defaultCohort: string | null = null, max?: number): PolicySet => {
  const r = buildPolicySet(program(list, defaultCohort), 'MfaEnforcement', max);
  if (!r.ok) throw new Error(r.message);
  return r;
};
const assignment = (s: PolicySet) => new Map(s.members.flatMap((m) => m.cohorts.map((c) => [c, m.name] as const)));

describe('buildPolicySet', () => {
  it('a program that fits one policy is one policy: the single document, stamped with the set id', () => {
    const list = cohorts(3);
    const s = set(list, list[0]!.cohort);
    expect(s.members.map((m) => m.name)).toEqual(['MfaEnforcement']);
    expect(s.members[0]!.document).toEqual({ ...buildPolicy(program(list, list[0]!.cohort)), Id: s.id });
    expect(s.id).toBe(`MfaPortal${s.hash}`);
    expect(s.members[0]!.json.startsWith(`{"Version":"2012-10-17","Id":"${s.id}","Statement":[`)).toBe(true);
  });

  it('50 cohorts (one of them the default, some counting only certified keys) fit in a few policies, each within 6,144 characters', () => {
    const list = cohorts(50).map((c, i) => ({ ...c, requireCertifiedKey: i % 7 === 0 }));
    const s = set(list, list[10]!.cohort);
    expect(s.members.length).toBeGreaterThan(5);
    expect(s.members.length).toBeLessThanOrEqual(8);
    expect(s.members.map((m) => m.name)).toEqual(s.members.map((_, i) => (i === 0 ? 'MfaEnforcement' : `MfaEnforcement-${i + 1}`)));
    for (const m of s.members) {
      expect(m.chars).toBeLessThanOrEqual(POLICY_MAX_CHARS);
      expect(m.chars).toBe(policyJson(m.document).length);
      expect(m.document.Id).toBe(s.id);
    }
    // Every cohort's statements exactly once over the set, the tag guard in the first policy.
    const sids = s.members.flatMap((m) => m.document.Statement.map((st) => st.Sid));
    const all = buildPolicy(program(list, list[10]!.cohort)).Statement.map((st) => st.Sid);
    expect(sids.filter((sid) => sid !== 'OnlyThePortalChangesMfaTags').sort()).toEqual(all.filter((sid) => sid !== 'OnlyThePortalChangesMfaTags').sort());
    expect(s.members[0]!.document.Statement.at(-1)!.Sid).toBe('OnlyThePortalChangesMfaTags');
    expect(s.members.flatMap((m) => m.cohorts).sort()).toEqual(list.map((c) => c.cohort).sort());
  });

  it('a new cohort lands in one policy and leaves every other policy byte for byte as it was', () => {
    const before = set(cohorts(30));
    const after = set([...cohorts(30), ...cohorts(1, 30)]);
    expect(after.members.length).toBe(before.members.length);
    const changed = after.members.filter((m, i) => policyJson({ ...m.document, Id: '' }) !== policyJson({ ...before.members[i]!.document, Id: '' }));
    expect(changed.map((m) => m.cohorts.includes('team-30-production-ops'))).toEqual([true]);
    // The set id changes with any member: a deploy writes the set as one change.
    expect(after.id).not.toBe(before.id);
  });

  it('when the set grows by one policy, cohorts only move into the new policy', () => {
    let n = 1;
    while (set(cohorts(n + 1)).members.length === set(cohorts(n)).members.length) n++;
    const before = assignment(set(cohorts(n)));
    const grown = set(cohorts(n + 1));
    const newName = memberName('MfaEnforcement', grown.members.length - 1);
    const moved = [...before].filter(([cohort, name]) => assignment(grown).get(cohort) !== name);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every(([cohort]) => assignment(grown).get(cohort) === newName)).toBe(true);
    expect(moved.length).toBeLessThan(before.size);
  });

  it('the same program in any order gives the same set', () => {
    const list = cohorts(40);
    expect(set([...list].reverse()).members.map((m) => m.json)).toEqual(set(list).members.map((m) => m.json));
  });

  it('refuses, with what to do, when the cohorts do not fit the policies a group has room for', () => {
    const r = buildPolicySet(program(cohorts(50)), 'MfaEnforcement', 3);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/^The program's 50 cohorts do not fit in 3 managed policies of 6144 characters/);
    expect(r.message).toContain('Merge cohorts');
  });

  it('a policy without cohorts holds the tag guard (IAM refuses an empty policy), and so does a retired one', () => {
    const s = set(cohorts(50));
    for (const m of s.members) expect(m.document.Statement.length).toBeGreaterThan(0);
    expect(retiredDocument('MfaPortalMember', 'X').Statement.map((st) => st.Sid)).toEqual(['OnlyThePortalChangesMfaTags']);
  });
});

describe('names and the hash', () => {
  it('memberName and memberIndex are inverse, and foreign names are not members', () => {
    for (const i of [0, 1, 9, 19]) expect(memberIndex('P', memberName('P', i))).toBe(i);
    for (const name of ['P-1', 'P-0', 'P-02', 'Px', 'P-2a', 'Q-2']) expect(memberIndex('P', name)).toBeNull();
  });

  it('jumpHash is in range and moves a key only to the new bucket when buckets grow', () => {
    for (let k = 0n; k < 500n; k++) {
      const key = k * 0x9e3779b97f4a7c15n;
      for (let n = 1; n < 10; n++) {
        const a = jumpHash(key & ((1n << 64n) - 1n), n);
        const b = jumpHash(key & ((1n << 64n) - 1n), n + 1);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThan(n);
        expect(b === a || b === n).toBe(true);
      }
    }
  });
});
