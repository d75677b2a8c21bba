import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, exampleConfig, minimalConfig } from './support';

type StackSetProps = Record<string, unknown> & { TemplateBody: string };

function stackSetOf(config = exampleConfig()) {
  const built = buildApp(config);
  if (!built.stackSet) throw new Error('no StackSet stack');
  const template = Template.fromStack(built.stackSet);
  const sets = Object.values(template.findResources('AWS::CloudFormation::StackSet')) as { Properties: StackSetProps }[];
  if (sets.length !== 1) throw new Error(`${sets.length} StackSets`);
  return { ...built, props: sets[0]!.Properties };
}

// Synthesized while the file loads: the first synthesis in a worker is slow, and a test's timeout should not pay for it.
const example = stackSetOf();

describe('member StackSet', () => {
  it('deploys exactly the member stack’s template', () => {
    const { props, member } = example;
    expect(JSON.parse(props.TemplateBody)).toEqual(Template.fromStack(member).toJSON());
  });

  it('service-managed: to the OUs, once per account in the portal’s region, following accounts that join or leave', () => {
    const { props, stackSet } = example;
    expect(stackSet!.account).toBe('111111111111');
    const { TemplateBody, ...rest } = props;
    expect(TemplateBody.length).toBeGreaterThan(0);
    expect(rest).toEqual({
      StackSetName: 'mfa-portal-member',
      Description: 'MFA Portal member role, enforcement policy and groups',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25 },
      StackInstancesGroup: [{ Regions: ['us-east-1'], DeploymentTargets: { OrganizationalUnitIds: ['ou-abcd-11111111'] } }],
    });
  });

  it('self-managed: to the listed accounts, from the hosting account by default', () => {
    const { props, stackSet } = stackSetOf(minimalConfig({ stackSet: { permissionModel: 'SELF_MANAGED', accountIds: ['210987654321', '123456789012'] } }));
    expect(stackSet!.account).toBe('123456789012');
    expect(props.PermissionModel).toBe('SELF_MANAGED');
    expect(props.CallAs).toBeUndefined();
    expect(props.AutoDeployment).toBeUndefined();
    expect(props.StackInstancesGroup).toEqual([{ Regions: ['us-east-1'], DeploymentTargets: { Accounts: ['210987654321', '123456789012'] } }]);
  });

  it('is left out when the config has no stackSet section', () => {
    expect(buildApp(minimalConfig()).stackSet).toBeUndefined();
  });
});
