import 'server-only';
import {
  AttachGroupPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  SetDefaultPolicyVersionCommand,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { iamForDeploy } from './clients';
import { awsCall } from './errors';
import { policyArn, type ManagedPolicy } from './policies';

/*
 * The enforcement writes, and the only calls made through the deploy role: whoever can make the policy writes could
 * put any statement into a policy attached to the enforced groups, and whoever can write mfa-* tags decides whom that
 * policy exempts. Only the security team's deploy (lib/enforcement/deploy.ts), rollback (rollback.ts) and tag reconciliation
 * (lib/enforcement/tags.ts) import this file; infra/aws/test/least-privilege.test.ts checks both.
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

export async function tagUser(accountId: string, userName: string, tags: Record<string, string>): Promise<void> {
  await awsCall('iam:TagUser', () => iamForDeploy(accountId).send(new TagUserCommand({ UserName: userName, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })));
}

export async function untagUser(accountId: string, userName: string, keys: string[]): Promise<void> {
  await awsCall('iam:UntagUser', () => iamForDeploy(accountId).send(new UntagUserCommand({ UserName: userName, TagKeys: keys })));
}
