import type { Role } from './types';

export type RoleConfig = {
  adminIamGroups: string[];
  securityIamGroups: string[];
  adminOidcGroups: string[];
  securityOidcGroups: string[];
};

/**
 * Everyone signed in is a member; admin and security come only from configuration matched against
 * the IAM groups of the person's IAM users and the IdP's groups claim. Security includes admin rights.
 */
export function rolesFor(input: { iamGroups: string[]; oidcGroups: string[] }, config: RoleConfig): Role[] {
  const iam = new Set(input.iamGroups);
  const oidc = new Set(input.oidcGroups);
  const security =
    config.securityIamGroups.some((g) => iam.has(g)) || config.securityOidcGroups.some((g) => oidc.has(g));
  const admin =
    security || config.adminIamGroups.some((g) => iam.has(g)) || config.adminOidcGroups.some((g) => oidc.has(g));
  const roles: Role[] = ['member'];
  if (admin) roles.push('admin');
  if (security) roles.push('security');
  return roles;
}

export const hasRole = (roles: readonly Role[], role: Role) => roles.includes(role);

/** Reads a groups claim that IdPs send as an array, a single string, or a space/comma separated string. */
export function groupsFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

export class ForbiddenError extends Error {
  constructor(readonly role: Role, what: string) {
    super(`${what} needs the ${role} role`);
    this.name = 'ForbiddenError';
  }
}

/** For domain functions, which check the actor themselves and do not trust that a page did. */
export function assertRole(roles: readonly Role[], role: Role, what: string): void {
  if (!hasRole(roles, role)) throw new ForbiddenError(role, what);
}
