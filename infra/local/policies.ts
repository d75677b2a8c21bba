import { roleArn, userArn } from '@/lib/iam-identifiers';

/** IAM policy documents of the demo organisation: what the portal's own identities may do. */

/**
 * Every IAM action the portal calls through the member role, and nothing else: infra/aws/test/least-privilege.test.ts
 * checks that this equals the IAM commands lib/ sends through it.
 */
export const PORTAL_IAM_ACTIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListUsers',
  'iam:GetUser',
  'iam:ListUserTags',
  'iam:ListGroupsForUser',
  'iam:GetGroup',
  'iam:GetLoginProfile',
  'iam:ListMFADevices',
  'iam:GetMFADevice',
  'iam:ListVirtualMFADevices',
  'iam:CreateVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:ResyncMFADevice',
  'iam:DeactivateMFADevice',
  'iam:DeleteVirtualMFADevice',
  'iam:ListAccountAliases',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:ListPolicyVersions',
  'iam:ListAttachedGroupPolicies',
] as const;

/**
 * Every IAM action the portal calls through the deploy role (the enforcement-policy and mfa-* tag writes), and nothing
 * else: the same test checks it against lib/aws/policy-writes.ts.
 */
export const PORTAL_DEPLOY_ACTIONS = [
  'iam:TagUser',
  'iam:UntagUser',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachGroupPolicy',
  // Per-user windows (lib/aws/window-writes.ts)
  'iam:DeletePolicy',
  'iam:GetPolicy',
  'iam:AttachUserPolicy',
  'iam:DetachUserPolicy',
  'iam:ListAttachedUserPolicies',
] as const;

export type PolicyDocument = {
  Version: '2012-10-17';
  Statement: Array<{
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Principal?: Record<string, string | string[]>;
    Action: string | readonly string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
};

/**
 * Only the portal's hosting account may assume the member (or deploy) role, and only with that role's external id.
 * The portal user is named beside the account root because moto compares trust principals literally:
 * with the root alone it refuses the portal in its own account, where AWS would allow it.
 */
export const memberRoleTrustPolicy = (hostingAccountId: string, externalId: string, portalUserName: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${hostingAccountId}:root`, userArn(hostingAccountId, portalUserName)] },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    },
  ],
});

/** moto checks actions, not resources, so Resource "*" here; infra/aws scopes each to the policy and groups. */
export const memberRolePolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'MfaPortal', Effect: 'Allow', Action: PORTAL_IAM_ACTIONS, Resource: '*' }],
});

export const deployRolePolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'MfaPortalDeploy', Effect: 'Allow', Action: PORTAL_DEPLOY_ACTIONS, Resource: '*' }],
});

/** The portal's own user can do nothing but become the member role and the deploy role in each account. */
export const portalUserPolicy = (memberRoleName: string, deployRoleName: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [roleArn('*', memberRoleName), roleArn('*', deployRoleName)] }],
});

/**
 * The portal's own user also sends reminder emails (SES v2 SendEmail from the verified sender). moto authorizes
 * SES calls against Resource "*" only; in AWS, scope this to the sender identity's ARN.
 */
export const portalSesPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'SendReminders', Effect: 'Allow', Action: 'ses:SendEmail', Resource: '*' }],
});

/**
 * The portal's own user also reads the IAM change event queue in its account (lib/events). moto authorizes SQS
 * calls against Resource "*" and by the API's own name (DeleteMessageBatch); in AWS, sqs:DeleteMessage on the queue's
 * ARN covers both (infra/aws portal stack).
 */
export const portalEventsPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ConsumeIamEvents', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:DeleteMessageBatch', 'sqs:GetQueueAttributes'], Resource: '*' },
  ],
});

/** The local console role: everything in IAM, as an administrator at the console would have. Local stack only. */
export const localConsoleRolePolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }],
});

/** Only the local console user may assume the local console role. */
export const localConsoleTrustPolicy = (hostingAccountId: string, consoleUserName: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: userArn(hostingAccountId, consoleUserName) }, Action: 'sts:AssumeRole' }],
});

/** The local console user can do nothing but become the local console role in each account. */
export const localConsoleUserPolicy = (consoleRoleName: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn('*', consoleRoleName) }],
});
