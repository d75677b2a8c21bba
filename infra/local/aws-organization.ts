/**
 * The demo's AWS Organizations organisation (moto's Organizations, built through moto_fidelity.py's
 * /moto-api/fidelity/organization so the demo accounts keep their fixed ids): the three demo accounts, one suspended
 * account and one active account the member StackSet has not reached (no MfaPortalMember role), in OUs so that
 * include/exclude can be shown. The Security account is the management account and holds the read role.
 */
import { roleArn } from '@/lib/iam-identifiers';
import type { PolicyDocument } from './policies';
import { DEV_ACCOUNT, HOSTING_ACCOUNT, PROD_ACCOUNT, SECURITY_ACCOUNT } from './organisation';

export const ORGANIZATIONS_READ_ROLE_NAME = 'MfaPortalOrganizationsRead';
export const ORGANIZATIONS_READ_EXTERNAL_ID = 'mfa-portal-demo-organizations-external-id';
export const MANAGEMENT_ACCOUNT = HOSTING_ACCOUNT;
/** Closed: SUSPENDED in Organizations, never managed. */
export const SUSPENDED_ACCOUNT = { id: '444444444444', name: 'Sandbox (closed)' };
/** Joined, but the member StackSet has not reached it: unreachable, never "0 users". */
export const ROLELESS_ACCOUNT = { id: '555555555555', name: 'Analytics' };

/** Fixed ids (moto would draw random ones), so that two seeds give the same organisation. */
const ROOT_ID = 'r-demo';
const OUS = [
  { name: 'Workloads', id: 'ou-demo-workload' },
  { name: 'Production', id: 'ou-demo-prodaccs', parent: 'Workloads' },
  { name: 'Development', id: 'ou-demo-devaccts', parent: 'Workloads' },
  { name: 'Security', id: 'ou-demo-security' },
  { name: 'Sandbox', id: 'ou-demo-sandboxs' },
] as const;
export type OuName = (typeof OUS)[number]['name'];

const LAYOUT = [
  { id: PROD_ACCOUNT, name: 'Production', ou: 'Production' },
  { id: DEV_ACCOUNT, name: 'Development', ou: 'Development' },
  { id: SECURITY_ACCOUNT, name: 'Security', ou: 'Security' },
  { id: SUSPENDED_ACCOUNT.id, name: SUSPENDED_ACCOUNT.name, ou: 'Sandbox', state: 'SUSPENDED' },
  { id: ROLELESS_ACCOUNT.id, name: ROLELESS_ACCOUNT.name, ou: 'Workloads' },
] as const;

export type LocalOrganization = {
  managementAccountId: string;
  rootId: string;
  ous: Record<OuName, string>;
  readRole: { arn: string; externalId: string };
};

/** Builds the organisation in moto (directly, not through the proxy); replaces any earlier one. */
export async function createLocalOrganization(motoUrl: string): Promise<LocalOrganization> {
  const res = await fetch(`${motoUrl}/moto-api/fidelity/organization`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ managementAccountId: MANAGEMENT_ACCOUNT, rootId: ROOT_ID, ous: OUS, accounts: LAYOUT }),
  });
  if (!res.ok) throw new Error(`moto refused the organisation: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { rootId: string; ous: Record<OuName, string> };
  return {
    managementAccountId: MANAGEMENT_ACCOUNT,
    rootId: body.rootId,
    ous: body.ous,
    readRole: { arn: roleArn(MANAGEMENT_ACCOUNT, ORGANIZATIONS_READ_ROLE_NAME), externalId: ORGANIZATIONS_READ_EXTERNAL_ID },
  };
}

/** What the read role may do: the calls of lib/aws/organizations.ts and nothing else (least-privilege.test.ts checks). */
export const organizationsReadPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListChildren'],
      Resource: '*',
    },
  ],
});

/** The portal's own user may assume the read role (beside its member and deploy roles). */
export const portalOrganizationsPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn(MANAGEMENT_ACCOUNT, ORGANIZATIONS_READ_ROLE_NAME) }],
});

/**
 * The portal's settings for the Organizations source on this organisation: the Workloads and Security OUs (the demo
 * accounts and the role-less one), the Sandbox OU excluded (its suspended account would not be managed anyway).
 */
export function organizationsSettings(org: LocalOrganization): Record<string, string> {
  return {
    MFA_ACCOUNT_SOURCE: 'organizations',
    MFA_ACCOUNTS: '',
    MFA_ORGANIZATIONS_ROLE_ARN: org.readRole.arn,
    MFA_ORGANIZATIONS_EXTERNAL_ID: org.readRole.externalId,
    MFA_ORGANIZATIONS_INCLUDE_OUS: `${org.ous.Workloads},${org.ous.Security}`,
    MFA_ORGANIZATIONS_EXCLUDE_OUS: org.ous.Sandbox,
    MFA_ORGANIZATIONS_INCLUDE_ACCOUNTS: '',
    MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS: '',
  };
}
