import 'server-only';
import { AttachGroupPolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, DeletePolicyVersionCommand, SetDefaultPolicyVersionCommand } from '@aws-sdk/client-iam';
import { iamForDeploy } from './clients';
import { awsCall } from './errors';
import { policyArn, type ManagedPolicy } from './policies';

/*
 * The enforcement-policy writes, and the only calls made through the deploy role: whoever can make them could write
 * any statement into a policy attached to the enforced groups. Only the security team's deploy and rollback
 * (lib/enforcement/deploy.ts) import this file; infra/aws/test/member-account-stack.test.ts checks both.
 */

export async function createManagedPolicy(accountId: string, input: { name: string; path: string; document: string; description: string }): Promise<ManagedPolicy> {
  const out = await awsCall('iam:CreatePolicy', () =>
    iamForDeploy(accountId).send(new CreatePolicyCommand({ PolicyName: input.name, Path: input.path, PolicyDocument: input.document, Description: input.description })),
  );
  return { arn: out.Policy?.Arn ?? policyArn(accountId, input.path, input.name), defaultVersionId: out.Policy?.DefaultVersionId ?? 'v1', attachmentCount: 0 };
}

export async function createPolicyVersion(accountId: string, arn: string, document: string): Promise<string> {
  const out = await awsCall('iam:CreatePolicyVersion', () =>
    iamForDeploy(accountId).send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document, SetAsDefault: true })),
  );
  return out.PolicyVersion?.VersionId ?? '';
}

export async function deletePolicyVersion(accountId: string, arn: string, versionId: string): Promise<void> {
  await awsCall('iam:DeletePolicyVersion', () => iamForDeploy(accountId).send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })));
}

export async function setDefaultPolicyVersion(accountId: string, arn: string, versionId: string): Promise<void> {
  await awsCall('iam:SetDefaultPolicyVersion', () => iamForDeploy(accountId).send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })));
}

export async function attachGroupPolicy(accountId: string, group: string, arn: string): Promise<void> {
  await awsCall('iam:AttachGroupPolicy', () => iamForDeploy(accountId).send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arn })));
}
