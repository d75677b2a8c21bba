import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aws, CfnCondition, DefaultStackSynthesizer, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { MFA_TAG_KEY_PATTERNS, type PolicyDocument } from '../../../lib/enforcement/policy';
import { buildPolicySet, MAX_POLICIES_PER_GROUP, memberName } from '../../../lib/enforcement/policy-set';
import { enforcementInput, type InfraConfig } from './config';
import { addEventForwarder } from './events';

export type MemberAccountStackProps = Omit<StackProps, 'env' | 'synthesizer'> & { config: InfraConfig };

/**
 * Every IAM action the portal calls through the member role, and nothing else: test/least-privilege.test.ts
 * compares it, both ways, with the IAM commands and paginators lib/ uses.
 */
export const MEMBER_ACTIONS = {
  /** Account-wide reads: IAM has no resource-level permissions for these, so they need Resource "*". */
  accountWide: [
    'iam:GenerateCredentialReport',
    'iam:GetAccountAuthorizationDetails',
    'iam:GetCredentialReport',
    'iam:ListAccountAliases',
    'iam:ListUsers',
    'iam:ListVirtualMFADevices',
  ],
  /** Reads of one named user. */
  userReads: ['iam:GetLoginProfile', 'iam:GetMFADevice', 'iam:GetUser', 'iam:ListGroupsForUser', 'iam:ListMFADevices', 'iam:ListUserTags'],
  /** Enrollment, resync and removal: authorized on the user and on the device (mfa/ for virtual, u2f/ for FIDO). */
  mfaDevices: ['iam:CreateVirtualMFADevice', 'iam:DeactivateMFADevice', 'iam:DeleteVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'],
  /** Reading the enforcement policy's versions (impact preview, deploy, rollback): on that one policy only. */
  enforcementPolicyReads: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
  /** Who the enforced groups hold and whether the policy is attached to them (impact preview, deploy). */
  enforcedGroupReads: ['iam:GetGroup', 'iam:ListAttachedGroupPolicies'],
} as const;

/**
 * Every IAM action the portal calls through the deploy role (lib/aws/policy-writes.ts), and nothing else. Whoever
 * holds the policy writes can put any statement into a policy attached to the enforced groups; whoever holds the
 * mfa-* tag writes decides whom that policy exempts (mfa-exempt) and when it bites (mfa-cohort). Only the security
 * team's deploy, rollback and tag reconciliation need them, so they live in a role of their own that the portal
 * assumes only there; the member role, used on every request, keeps none of them.
 */
export const DEPLOY_ACTIONS = {
  /** Cohort and exemption tags: mfa-* keys only. */
  userTags: ['iam:TagUser', 'iam:UntagUser'],
  /** Creating the policy, adding, deleting and choosing its versions: on that one policy only. */
  enforcementPolicy: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
  /** Attaching the enforcement policy, and only it, to the enforced groups. */
  attach: ['iam:AttachGroupPolicy'],
  /**
   * Per-user windows (lib/aws/window-writes.ts): the window policies `<name>-until-<end>` are created, read (their
   * attachment count) and deleted, and only they are attached to and detached from users.
   */
  windowPolicies: ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:GetPolicy'],
  windowAttach: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
  /** The window drift check: which policies a user has attached. */
  windowReads: ['iam:ListAttachedUserPolicies'],
} as const;

/**
 * The tag keys the portal may set or remove on users (cohort, exemption): the mfa-* keys in every casing, exactly
 * those lib/enforcement/policy.ts's tag guard reserves. StringLike on aws:TagKeys is case-sensitive, and tag
 * reconciliation keeps a user's key in its existing casing (it removes MFA-Exempt, not mfa-exempt), so a
 * lowercase-only pattern would deny it.
 */
export const PORTAL_TAG_KEY_PATTERNS = MFA_TAG_KEY_PATTERNS;

const groupId = (kind: string, name: string) => `${kind}Group-${name}`;

/**
 * What the portal needs in every managed account: the member and deploy roles it assumes, the enforcement
 * policy's first version, and the groups. Environment-agnostic (account and partition are CloudFormation pseudo
 * parameters) so that one template serves every account, deployed directly or through the StackSet.
 */
export class MemberAccountStack extends Stack {
  readonly role: iam.Role;
  readonly deployRole: iam.Role;
  /** The enforcement policy set (lib/enforcement/policy-set.ts): `<name>`, `<name>-2`, … */
  readonly enforcementPolicies: iam.CfnManagedPolicy[];
  readonly enforcementDocuments: PolicyDocument[];
  readonly groups: { admin: iam.Group[]; security: iam.Group[]; enforced: iam.Group[] };

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: 'MFA Portal: the member and deploy roles the portal assumes, the enforcement policy and the portal groups (one per managed account)',
      ...stackProps,
      // Deployable without bootstrapping the account (aws cloudformation deploy, or StackSets): no version rule.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });

    const iamArn = (resource: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:${resource}`;
    // Every name the policy set may use (lib/enforcement/policy-set.ts), named one by one rather than by a wildcard.
    const enforcementPolicyArns = Array.from({ length: MAX_POLICIES_PER_GROUP }, (_, i) => iamArn(`policy${config.enforcementPolicyPath}${memberName(config.enforcementPolicyName, i)}`));
    const enforcedGroupArns = config.enforcedGroups.map((n) => iamArn(`group/${n}`));
    // The per-user window policies (lib/windows/policy.ts): `<name>-until-YYYYMMDDTHHMMZ`, beside the enforcement set.
    const windowPolicyArns = iamArn(`policy${config.enforcementPolicyPath}${config.enforcementPolicyName}-until-*`);

    // The admin and security groups grant no AWS permissions: the portal reads their membership to give people
    // its admin and security roles (MFA_ADMIN_GROUPS, MFA_SECURITY_GROUPS). Anyone who can add users to them in
    // an account the portal reads can make themselves a portal admin, hence portalGroupsAccountId.
    const onlyInGroupsAccount = config.portalGroupsAccountId
      ? new CfnCondition(this, 'IsPortalGroupsAccount', { expression: Fn.conditionEquals(Aws.ACCOUNT_ID, config.portalGroupsAccountId) })
      : undefined;
    const portalGroup = (kind: string, name: string) => {
      const g = new iam.Group(this, groupId(kind, name), { groupName: name });
      if (onlyInGroupsAccount) (g.node.defaultChild as iam.CfnGroup).cfnOptions.condition = onlyInGroupsAccount;
      return g;
    };
    this.groups = {
      admin: config.adminGroups.map((n) => portalGroup('Admin', n)),
      security: config.securityGroups.map((n) => portalGroup('Security', n)),
      enforced: config.enforcedGroups.map((n) => new iam.Group(this, groupId('Enforced', n), { groupName: n })),
    };

    const portalRoleArn = `arn:${Aws.PARTITION}:iam::${config.hostingAccountId}:role/${config.portalRoleName}`;
    this.role = new iam.Role(this, 'MemberRole', {
      roleName: config.memberRoleName,
      description: 'Assumed by the MFA Portal (hosting account role, with the external id) to read IAM users and manage their MFA',
      assumedBy: new iam.ArnPrincipal(portalRoleArn),
      externalIds: [config.memberRoleExternalId],
      inlinePolicies: {
        MfaPortal: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'ReadAccountWide', actions: [...MEMBER_ACTIONS.accountWide], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'ReadUsers', actions: [...MEMBER_ACTIONS.userReads], resources: [iamArn('user/*')] }),
            new iam.PolicyStatement({
              sid: 'ManageMfaDevices',
              actions: [...MEMBER_ACTIONS.mfaDevices],
              resources: [iamArn('user/*'), iamArn('mfa/*'), iamArn('u2f/*')],
            }),
            new iam.PolicyStatement({ sid: 'ReadEnforcementPolicy', actions: [...MEMBER_ACTIONS.enforcementPolicyReads], resources: enforcementPolicyArns }),
            new iam.PolicyStatement({ sid: 'ReadEnforcedGroups', actions: [...MEMBER_ACTIONS.enforcedGroupReads], resources: enforcedGroupArns }),
          ],
        }),
      },
    });

    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: config.deployRoleName,
      description: 'Assumed by the MFA Portal (hosting account role, with its own external id) only to deploy or roll back the enforcement policy and reconcile mfa-* tags',
      assumedBy: new iam.ArnPrincipal(portalRoleArn),
      externalIds: [config.deployRoleExternalId],
      inlinePolicies: {
        MfaPortalDeploy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'WriteEnforcementPolicy', actions: [...DEPLOY_ACTIONS.enforcementPolicy], resources: enforcementPolicyArns }),
            new iam.PolicyStatement({
              sid: 'TagUsersMfaKeysOnly',
              actions: [...DEPLOY_ACTIONS.userTags],
              resources: [iamArn('user/*')],
              // Only the keys are constrained, not the values (aws:RequestTag/…): UntagUser sends no values; the
              // cohort values are the program's cohort names, which the portal changes at run time without a
              // redeploy; and the one value that matters, mfa-exempt = true, is one the portal legitimately writes.
              // A value condition would break reconciliation without limiting what a holder of this role can do.
              conditions: {
                // ForAllValues is true when the key is absent: require it, so a request must name its keys.
                Null: { 'aws:TagKeys': 'false' },
                'ForAllValues:StringLike': { 'aws:TagKeys': PORTAL_TAG_KEY_PATTERNS },
              },
            }),
            new iam.PolicyStatement({
              sid: 'AttachEnforcementPolicyToEnforcedGroups',
              actions: [...DEPLOY_ACTIONS.attach],
              resources: enforcedGroupArns,
              conditions: { ArnEquals: { 'iam:PolicyARN': enforcementPolicyArns } },
            }),
            new iam.PolicyStatement({ sid: 'WriteWindowPolicies', actions: [...DEPLOY_ACTIONS.windowPolicies], resources: [windowPolicyArns] }),
            new iam.PolicyStatement({
              sid: 'AttachWindowPoliciesToUsers',
              actions: [...DEPLOY_ACTIONS.windowAttach],
              resources: [iamArn('user/*')],
              conditions: { ArnLike: { 'iam:PolicyARN': windowPolicyArns } },
            }),
            new iam.PolicyStatement({ sid: 'ReadUsersWindowPolicies', actions: [...DEPLOY_ACTIONS.windowReads], resources: [iamArn('user/*')] }),
          ],
        }),
      },
    });

    NagSuppressions.addResourceSuppressions(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'GetAccountAuthorizationDetails, the credential report actions, ListUsers, ListVirtualMFADevices and ListAccountAliases support no resource-level permissions: IAM requires Resource "*" for them. They are reads.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The portal manages MFA for every IAM user of the account, whichever user signs in: user reads and device enrollment are scoped to the user resource type.',
        appliesTo: ['Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Virtual MFA devices are created and deleted by name for any user of the account (names chosen by the portal); only the MFA device actions apply to the mfa resource type.',
        appliesTo: ['Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:mfa/*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'A lost FIDO security key of any user is removed with DeactivateMFADevice, which IAM may authorize against the u2f resource type.',
        appliesTo: ['Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:u2f/*'],
      },
    ]);

    NagSuppressions.addResourceSuppressions(this.deployRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The program tags any IAM user of the account with its cohort, exemption and window: TagUser and UntagUser are scoped to the user resource type and limited to mfa-* keys (in any letter casing) by condition; a per-user window attaches (and detaches) only the window policies, by an iam:PolicyARN condition, to any user of the account, and reads which policies a user has attached.',
        appliesTo: ['Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Per-user windows need one policy per end date (<name>-until-YYYYMMDDTHHMMZ), created and deleted as windows open and close: their names are not known in advance, so the grant is on that name prefix only.',
        appliesTo: [`Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy${config.enforcementPolicyPath}${config.enforcementPolicyName}-until-*`],
      },
    ]);

    if (config.events) addEventForwarder(this, config);

    // loadConfig refuses a program that does not fit; this guards a config built in code.
    const set = buildPolicySet(enforcementInput(config), config.enforcementPolicyName);
    if (!set.ok) throw new Error(`the enforcement policy is too large: ${set.message}`);
    // Without the set id: CloudFormation's schema for a managed policy document has no Id. The portal's rollback takes
    // these first versions, the only ones without an id, as one set (lib/enforcement/rollback.ts).
    this.enforcementDocuments = set.members.map(({ document: { Version, Statement } }) => ({ Version, Statement }));
    // The first versions only: later versions are deployed by the portal (CreatePolicyVersion) and CloudFormation
    // does not look at them until these resources' properties change.
    this.enforcementPolicies = set.members.map(
      (m, i) =>
        new iam.CfnManagedPolicy(this, i === 0 ? 'EnforcementPolicy' : `EnforcementPolicy${i + 1}`, {
          managedPolicyName: m.name,
          path: config.enforcementPolicyPath,
          description: 'MFA Portal: denies everything but MFA self-service to users without MFA after their cohort deadline',
          policyDocument: this.enforcementDocuments[i],
          groups: this.groups.enforced.map((g) => g.groupName),
        }),
    );
  }
}

/**
 * The member stack's template as plain CloudFormation, for the StackSet's TemplateBody: synthesized in an app of
 * its own (a StackSet cannot reference the assembly of the app that defines it).
 */
export function memberTemplate(config: InfraConfig): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'mfa-portal-member-'));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new MemberAccountStack(app, 'MfaPortalMember', { config });
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
