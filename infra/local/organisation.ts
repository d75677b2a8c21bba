/** The fixed facts of the demo AWS organisation; the seed generates everything else from them. */

export const PROD_ACCOUNT = '111111111111';
export const DEV_ACCOUNT = '222222222222';
export const SECURITY_ACCOUNT = '333333333333';

export type DemoAccount = {
  id: string;
  name: string;
  alias: string;
  /** Values of the Environment tag on this account's users. */
  environments: readonly string[];
  /**
   * The root user as the credential report's root row shows it (moto_fidelity.py adds the row): MFA on or off, or no
   * root credentials at all (centralized root access removed them; the demo organisation has that feature on).
   */
  root: 'mfa' | 'no-mfa' | 'no-root-credentials';
};

export const ACCOUNTS: readonly DemoAccount[] = [
  { id: PROD_ACCOUNT, name: 'Production', alias: 'acme-prod', environments: ['prod'], root: 'no-mfa' },
  { id: DEV_ACCOUNT, name: 'Development', alias: 'acme-dev', environments: ['dev', 'dev', 'staging'], root: 'no-root-credentials' },
  { id: SECURITY_ACCOUNT, name: 'Security', alias: 'acme-security', environments: ['prod'], root: 'mfa' },
];

/** The account the portal runs in; its user assumes the member role in every account. */
export const HOSTING_ACCOUNT = SECURITY_ACCOUNT;

export const ADMIN_GROUP = 'mfa-portal-admins';
export const SECURITY_GROUP = 'mfa-portal-security';
export const ORDINARY_GROUPS = ['developers', 'operators', 'readonly'] as const;
export const ALL_GROUPS = [ADMIN_GROUP, SECURITY_GROUP, ...ORDINARY_GROUPS] as const;

export const MEMBER_ROLE_NAME = 'MfaPortalMember';
export const MEMBER_ROLE_EXTERNAL_ID = 'mfa-portal-demo-external-id';
/** Writes the enforcement policy; the portal assumes it only for deploys and rollbacks (its own external id). */
export const DEPLOY_ROLE_NAME = 'MfaPortalDeploy';
export const DEPLOY_ROLE_EXTERNAL_ID = 'mfa-portal-demo-deploy-external-id';
export const PORTAL_USER_NAME = 'mfa-portal';
/**
 * Plays the AWS console for tests and the seed (registering FIDO keys, creating test users): its key, in the
 * ground truth's accessKeys, may assume LOCAL_CONSOLE_ROLE_NAME (all of IAM) in every account. Local stack only.
 */
export const LOCAL_CONSOLE_USER_NAME = 'local-console';
export const LOCAL_CONSOLE_ROLE_NAME = 'LocalConsole';
export const EMAIL_TAG_KEY = 'email';
/** How the demo organisation marks its automation users: the tag kind=service (MFA_SERVICE_USER_TAGS). */
export const SERVICE_TAG_KEY = 'kind';
export const SERVICE_TAG_VALUE = 'service';
export const serviceUserTagsSetting = () => `${SERVICE_TAG_KEY}=${SERVICE_TAG_VALUE}`;

/** `MFA_ACCOUNTS` as the portal reads it. */
export const mfaAccountsSetting = () => ACCOUNTS.map((a) => `${a.id}:${a.name}`).join(',');
