import { describe, expect, it } from 'vitest';
import { setTestEnv } from '@/test-support/env';
import { isAwsError } from './errors';

// No deploy external id; a closed local port as the endpoint, so a call that reached AWS would fail differently.
setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'member-ext',
  MFA_DEPLOY_ROLE_EXTERNAL_ID: '',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
  AWS_SECRET_ACCESS_KEY: 'not-a-secret',
});

describe('the deploy-role client', () => {
  it('refuses to act without MFA_DEPLOY_ROLE_EXTERNAL_ID, before any AWS call', async () => {
    const { createPolicyVersion } = await import('./policy-writes');
    const error = await createPolicyVersion('111111111111', 'arn:aws:iam::111111111111:policy/MfaPortalEnforcement', '{}').catch((e: unknown) => e);
    expect(isAwsError(error, 'AccessDenied')).toBe(true);
    expect((error as { awsName: string }).awsName).toBe('DeployRoleNotConfigured');
  });

  it('names the deploy role, not the member role', async () => {
    const { deployRoleArn, memberRoleArn } = await import('./clients');
    expect(deployRoleArn('111111111111')).toBe('arn:aws:iam::111111111111:role/MfaPortalDeploy');
    expect(memberRoleArn('111111111111')).toBe('arn:aws:iam::111111111111:role/MfaPortalMember');
  });
});
