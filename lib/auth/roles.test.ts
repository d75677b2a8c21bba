import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupsFromClaim, rolesFor } from './roles';

const config = {
  adminIamGroups: ['mfa-portal-admins'],
  securityIamGroups: ['mfa-portal-security'],
  adminOidcGroups: ['idp-admins'],
  securityOidcGroups: ['idp-security'],
};

describe('rolesFor', () => {
  it('makes everyone a member and nothing more by default', () => {
    expect(rolesFor({ iamGroups: ['developers'], oidcGroups: ['staff'] }, config)).toEqual(['member']);
  });
  it('grants admin from the IAM group or the OIDC group', () => {
    expect(rolesFor({ iamGroups: ['mfa-portal-admins'], oidcGroups: [] }, config)).toEqual(['member', 'admin']);
    expect(rolesFor({ iamGroups: [], oidcGroups: ['idp-admins'] }, config)).toEqual(['member', 'admin']);
  });
  it('gives security admin rights too', () => {
    expect(rolesFor({ iamGroups: ['mfa-portal-security'], oidcGroups: [] }, config)).toEqual(['member', 'admin', 'security']);
    expect(rolesFor({ iamGroups: [], oidcGroups: ['idp-security'] }, config)).toEqual(['member', 'admin', 'security']);
  });
  it('does not cross sources: an OIDC group named like the IAM admin group grants nothing', () => {
    expect(rolesFor({ iamGroups: [], oidcGroups: ['mfa-portal-admins'] }, config)).toEqual(['member']);
  });
  it('never grants a role without a configured group (property)', () => {
    const configured = new Set([...config.adminIamGroups, ...config.securityIamGroups, ...config.adminOidcGroups, ...config.securityOidcGroups]);
    const group = fc.string().filter((g) => !configured.has(g));
    fc.assert(
      fc.property(fc.array(group), fc.array(group), (iamGroups, oidcGroups) => {
        expect(rolesFor({ iamGroups, oidcGroups }, config)).toEqual(['member']);
      }),
    );
  });
});

describe('groupsFromClaim', () => {
  it('reads arrays, strings and ignores the rest', () => {
    expect(groupsFromClaim(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(groupsFromClaim('a b,c')).toEqual(['a', 'b', 'c']);
    expect(groupsFromClaim(undefined)).toEqual([]);
    expect(groupsFromClaim({ a: 1 })).toEqual([]);
  });
});

describe('groupsThatGrantRoles', () => {
  it('keeps groups from the listed accounts only; every account when none is listed', async () => {
    const { groupsThatGrantRoles } = await import('./principals');
    expect(groupsThatGrantRoles('222222222222', ['mfa-portal-security'], ['111111111111'])).toEqual([]);
    expect(groupsThatGrantRoles('111111111111', ['mfa-portal-security'], ['111111111111'])).toEqual(['mfa-portal-security']);
    expect(groupsThatGrantRoles('222222222222', ['mfa-portal-admins'], [])).toEqual(['mfa-portal-admins']);
  });
});
