import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildPolicy } from '../../../lib/enforcement/policy';
import { buildPolicySet } from '../../../lib/enforcement/policy-set';
import { only, template } from './member-template';
import { buildApp, minimalConfig } from './support';

describe('groups', () => {
  type Group = { Properties: { GroupName: string; Policies?: unknown; ManagedPolicyArns?: unknown }; Condition?: string };
  const groups = Object.values(template.findResources('AWS::IAM::Group')) as Group[];

  it('creates the admin, security and enforced groups, none with permissions of their own', () => {
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual(['mfa-enforced', 'mfa-portal-admins', 'mfa-portal-security']);
    for (const g of groups) expect(g.Properties).toEqual({ GroupName: g.Properties.GroupName });
  });

  it('creates the admin and security groups only in portalGroupsAccountId, the enforced group everywhere', () => {
    const conditional = groups.filter((g) => g.Condition).map((g) => g.Properties.GroupName);
    expect(conditional.sort()).toEqual(['mfa-portal-admins', 'mfa-portal-security']);
    expect(template.toJSON().Conditions).toEqual({ IsPortalGroupsAccount: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111111111111'] } });
  });

  it('without portalGroupsAccountId creates every group in every account; names are configurable', () => {
    const { member: m } = buildApp(minimalConfig({ adminGroups: ['it-admins', 'cloud-admins'], securityGroups: ['secops'], enforcedGroups: ['all-humans'] }));
    const t = Template.fromStack(m);
    const gs = Object.values(t.findResources('AWS::IAM::Group')) as Group[];
    expect(gs.map((g) => g.Properties.GroupName).sort()).toEqual(['all-humans', 'cloud-admins', 'it-admins', 'secops']);
    expect(gs.every((g) => !g.Condition)).toBe(true);
    expect(t.toJSON().Conditions).toBeUndefined();
  });
});

describe('template', () => {
  it('deploys without CDK bootstrapping: no parameters, rules or assets', () => {
    const json = template.toJSON();
    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::CDK::Metadata'))).toEqual([]);
  });
});

describe('enforcement policy', () => {
  const program = JSON.parse(readFileSync(new URL('../program.example.json', import.meta.url), 'utf8')) as {
    defaultCohort: string | null;
    cohorts: { cohort: string; deadline: string }[];
  };

  it('is the generator’s document for the example program (first version), attached to the enforced group', () => {
    const { id, resource } = only<{ Properties: Record<string, unknown> }>('AWS::IAM::ManagedPolicy');
    const input = { cohorts: program.cohorts.map((c) => ({ cohort: c.cohort, deadline: new Date(c.deadline) })), defaultCohort: program.defaultCohort, portalRoleName: 'MfaPortalDeploy' };
    const expected = buildPolicy(input);
    expect(expected.Statement.length).toBe(program.cohorts.length + 1);
    // One policy of the set, without the set's id (CloudFormation's schema has no Id).
    const set = buildPolicySet(input, 'MfaPortalEnforcement');
    expect(set.ok && set.members.length).toBe(1);
    expect(resource.Properties.PolicyDocument).toEqual(expected);
    expect(resource.Properties.ManagedPolicyName).toBe('MfaPortalEnforcement');
    expect(resource.Properties.Path).toBe('/');
    expect(id).toBe('EnforcementPolicy');
    const groups = template.findResources('AWS::IAM::Group', { Properties: { GroupName: 'mfa-enforced' } });
    expect(resource.Properties.Groups).toEqual(Object.keys(groups).map((g) => ({ Ref: g })));
  });

  it('with no cohorts holds only the tag guard', () => {
    const { member: m } = buildApp(minimalConfig());
    const policy = Object.values(Template.fromStack(m).findResources('AWS::IAM::ManagedPolicy'))[0] as { Properties: { PolicyDocument: unknown } };
    expect(policy.Properties.PolicyDocument).toEqual(buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalDeploy' }));
    expect((policy.Properties.PolicyDocument as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(['OnlyThePortalChangesMfaTags']);
  });

  it('spreads a program too large for one policy over a set: the first versions of every policy, each attached to the enforced group', () => {
    const cohorts = Array.from({ length: 20 }, (_, i) => ({ cohort: `cohort-${i}`, deadline: '2026-10-01T00:00:00Z' }));
    const { member: m } = buildApp(minimalConfig({}, { defaultCohort: null, cohorts }));
    const found = Template.fromStack(m).findResources('AWS::IAM::ManagedPolicy') as Record<string, { Properties: { ManagedPolicyName: string; PolicyDocument: { Statement: { Sid: string }[] }; Groups: unknown[] } }>;
    const set = buildPolicySet({ cohorts: cohorts.map((c) => ({ cohort: c.cohort, deadline: new Date(c.deadline) })), defaultCohort: null, portalRoleName: 'MfaPortalDeploy' }, 'MfaPortalEnforcement');
    if (!set.ok) throw new Error(set.message);
    expect(set.members.length).toBeGreaterThan(1);
    expect(Object.keys(found)).toEqual(set.members.map((_, i) => (i === 0 ? 'EnforcementPolicy' : `EnforcementPolicy${i + 1}`)));
    expect(Object.values(found).map((r) => r.Properties.ManagedPolicyName)).toEqual(set.members.map((s) => s.name));
    expect(Object.values(found).map((r) => r.Properties.PolicyDocument)).toEqual(set.members.map((s) => ({ Version: s.document.Version, Statement: s.document.Statement })));
    for (const r of Object.values(found)) expect(r.Properties.Groups).toHaveLength(1);
  });

  it('refuses, as a configuration error, a program whose cohorts do not fit the policies a group can hold', () => {
    const cohorts = Array.from({ length: 120 }, (_, i) => ({ cohort: `cohort-${String(i).padStart(3, '0')}-operations-team`, deadline: `2026-10-01T00:${String(i % 60).padStart(2, '0')}:00Z` }));
    expect(() => buildApp(minimalConfig({}, { defaultCohort: null, cohorts }))).toThrow(/cohorts: The program's 120 cohorts do not fit in 10 managed policies/);
  });
});
