import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import type { InfraConfig, StackSetConfig } from './config';

export type MemberStackSetStackProps = Omit<StackProps, 'env'> & {
  config: InfraConfig & { stackSet: StackSetConfig };
  /** The member stack's synthesized template (memberTemplate()). */
  memberTemplate: Record<string, unknown>;
};

/**
 * The member stack in every managed account through a CloudFormation StackSet. Deployed to the account that
 * administers StackSets: the organization's management account or a delegated administrator (SERVICE_MANAGED),
 * or any account holding the StackSet administration role (SELF_MANAGED).
 */
export class MemberStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetStackProps) {
    const { config, memberTemplate, ...stackProps } = props;
    const s = config.stackSet;
    super(scope, id, {
      description: 'MFA Portal: the member stack in every managed account, through a StackSet',
      ...stackProps,
      env: { account: s.adminAccountId ?? config.hostingAccountId, region: config.region },
    });
    const serviceManaged = s.permissionModel === 'SERVICE_MANAGED';
    const body = JSON.stringify(memberTemplate);
    if (body.length > 51_200) throw new Error(`the member template is ${body.length} bytes; a StackSet's TemplateBody holds 51,200`);

    this.stackSet = new CfnStackSet(this, 'MemberStackSet', {
      stackSetName: s.stackSetName,
      description: 'MFA Portal member role, enforcement policy and groups',
      permissionModel: s.permissionModel,
      ...(serviceManaged
        ? {
            callAs: s.callAs,
            // Accounts that join the OUs later get the member role too; accounts that leave lose it.
            autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
          }
        : {}),
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
      // IAM is global: one region per account, or the second instance would collide on the role's name.
      stackInstancesGroup: [
        {
          regions: [config.region],
          deploymentTargets: serviceManaged ? { organizationalUnitIds: s.organizationalUnitIds } : { accounts: s.accountIds },
        },
      ],
      templateBody: body,
    });
  }
}
