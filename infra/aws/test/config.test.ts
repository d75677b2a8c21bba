import { describe, expect, it } from 'vitest';
import { enforcementInput, InfraConfigError, loadConfig } from '../lib/config';
import { exampleConfig, minimalConfig } from './support';

describe('infra config', () => {
  it('fills in the portal’s defaults (names match lib/env.ts’s defaults)', () => {
    const c = minimalConfig();
    expect(c).toMatchObject({
      region: 'us-east-1',
      portalRoleName: 'MfaPortal',
      portalServicePrincipal: 'ecs-tasks.amazonaws.com',
      portalTrustSourceAccount: true,
      memberRoleName: 'MfaPortalMember',
      deployRoleName: 'MfaPortalDeploy',
      managedAccountIds: [],
      adminGroups: ['mfa-portal-admins'],
      securityGroups: ['mfa-portal-security'],
      enforcedGroups: ['mfa-enforced'],
      enforcementPolicyName: 'MfaPortalEnforcement',
      enforcementPolicyPath: '/',
      program: { defaultCohort: null, cohorts: [] },
    });
    expect(c.stackSet).toBeUndefined();
    expect(c.reminderEmailIdentity).toBeUndefined();
  });

  it('reads the example and its program; the deploy role is the only principal that may change mfa-* tags', () => {
    const c = exampleConfig();
    expect(c.program.cohorts.map((x) => x.cohort)).toEqual(['prod-admins', 'nonprod-admins', 'regular-users']);
    expect(c.program.cohorts[0]!.deadline).toEqual(new Date('2026-10-01T00:00:00Z'));
    expect(enforcementInput(c)).toEqual({ cohorts: c.program.cohorts, defaultCohort: 'regular-users', portalRoleName: 'MfaPortalDeploy' });
  });

  it('takes context overrides over the file, lists as comma-separated strings', () => {
    const c = loadConfig(undefined, { memberRoleExternalId: 'from-context', managedAccountIds: '333333333333, 444444444444', portalTrustSourceAccount: 'false', unrelated: 'x' });
    expect(c.memberRoleExternalId).toBe('from-context');
    expect(c.managedAccountIds).toEqual(['333333333333', '444444444444']);
    expect(c.portalTrustSourceAccount).toBe(false);
    expect(c.hostingAccountId).toBe('111111111111');
  });

  it.each([
    [{ hostingAccountId: '1234' }, /hostingAccountId: must be a 12-digit AWS account id/],
    [{ memberRoleExternalId: undefined }, /memberRoleExternalId: is required/],
    [{ memberRoleExternalId: 'has spaces in it' }, /memberRoleExternalId: must be 2-1224 characters/],
    [{ memberRoleName: 'MfaPortal' }, /memberRoleName: must differ from portalRoleName/],
    [{ deployRoleExternalId: undefined }, /deployRoleExternalId: is required/],
    [{ deployRoleExternalId: 'external-id-for-tests' }, /deployRoleExternalId: must differ from memberRoleExternalId/],
    [{ deployRoleName: 'mfaportalmember' }, /deployRoleName: must differ from portalRoleName and memberRoleName/],
    [{ deployRoleName: 'MfaPortal' }, /deployRoleName: must differ from portalRoleName and memberRoleName/],
    [{ portalRoleName: 'no/slashes' }, /portalRoleName: may hold letters/],
    [{ portalServicePrincipal: 'example.com' }, /portalServicePrincipal: must be an AWS service principal/],
    [{ reminderEmailFrom: 'mfa@example.com' }, /reminderEmailIdentity: is required with reminderEmailFrom/],
    [{ reminderEmailIdentity: 'example.com', reminderEmailFrom: 'mfa@example.org' }, /reminderEmailFrom: must be example.com or an address at it/],
    [{ enforcedGroups: [] }, /enforcedGroups: needs at least one group/],
    [{ adminGroups: ['ops'], securityGroups: ['OPS'] }, /group OPS is listed twice/],
    [{ enforcementPolicyPath: 'mfa' }, /enforcementPolicyPath: must start and end with \//],
    [{ managedAccountIds: ['123'] }, /managedAccountIds.0: must be a 12-digit/],
    [{ stackSet: {} }, /stackSet.organizationalUnitIds: SERVICE_MANAGED needs at least one OU/],
    [{ stackSet: { permissionModel: 'SELF_MANAGED' } }, /stackSet.accountIds: SELF_MANAGED needs at least one account id/],
    [{ stackSet: { permissionModel: 'SELF_MANAGED', accountIds: ['123456789012'], callAs: 'DELEGATED_ADMIN' } }, /stackSet.callAs/],
    [{ stackSet: { organizationalUnitIds: ['engineering'] } }, /stackSet.organizationalUnitIds.0: must be an OU id/],
  ])('refuses %j', (extra, message) => {
    expect(() => minimalConfig(extra)).toThrow(InfraConfigError);
    expect(() => minimalConfig(extra)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() => minimalConfig({ hostingAccountId: 'x', memberRoleExternalId: '!' })).toThrow(/hostingAccountId.*\n.*memberRoleExternalId/);
  });

  it.each([
    [{ defaultCohort: 'everyone', cohorts: [] }, /defaultCohort: everyone is not one of the cohorts/],
    [{ cohorts: [{ cohort: 'a', deadline: 'next week' }] }, /cohorts.0.deadline: must be an ISO 8601 date-time/],
    [{ cohorts: [{ cohort: 'a', deadline: '2026-10-01T00:00:00Z' }, { cohort: 'a', deadline: '2026-11-01T00:00:00Z' }] }, /a cohort is listed twice/],
  ])('refuses the program %j', (program, message) => {
    expect(() => minimalConfig({}, program)).toThrow(message);
  });

  it('says which file it cannot read', () => {
    expect(() => loadConfig('/nonexistent/infra.json')).toThrow(/cannot read \/nonexistent\/infra.json/);
  });
});
