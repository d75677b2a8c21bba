import 'server-only';
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  paginateListAttachedUserPolicies,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { iamForDeploy } from './clients';
import { awsCall, isAwsError } from './errors';

/*
 * The per-user window writes (lib/windows): the window policies `<enforcement policy>-until-<end>` and the mfa-window
 * tag, through the deploy role. Whoever can attach a policy to a user or write mfa-* tags decides when that user is
 * denied, so only lib/windows imports this file, and the deploy role may create, delete, attach and detach only
 * policies named like a window policy (infra/aws member stack; infra/aws/test/least-privilege.test.ts checks both).
 */

/** Creates the window policy; false when it already exists (another user's window ends at the same minute). */
export async function createWindowPolicy(accountId: string, input: { name: string; path: string; document: string; description: string }): Promise<boolean> {
  try {
    await awsCall('iam:CreatePolicy', () =>
      iamForDeploy(accountId).send(new CreatePolicyCommand({ PolicyName: input.name, Path: input.path, PolicyDocument: input.document, Description: input.description })),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'EntityAlreadyExists')) return false;
    throw error;
  }
}

/** How many users, groups and roles the policy is attached to; null when it does not exist. */
export async function windowPolicyAttachmentCount(accountId: string, arn: string): Promise<number | null> {
  try {
    const out = await awsCall('iam:GetPolicy', () => iamForDeploy(accountId).send(new GetPolicyCommand({ PolicyArn: arn })));
    return out.Policy?.AttachmentCount ?? 0;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/** Deletes the window policy (it has only its first version); false when it is gone already or attached again. */
export async function deleteWindowPolicy(accountId: string, arn: string): Promise<boolean> {
  try {
    await awsCall('iam:DeletePolicy', () => iamForDeploy(accountId).send(new DeletePolicyCommand({ PolicyArn: arn })));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity') || isAwsError(error, 'DeleteConflict')) return false;
    throw error;
  }
}

export async function attachUserPolicy(accountId: string, userName: string, arn: string): Promise<void> {
  await awsCall('iam:AttachUserPolicy', () => iamForDeploy(accountId).send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: arn })));
}

/** Detaches the policy from the user; false when it was not attached. */
export async function detachUserPolicy(accountId: string, userName: string, arn: string): Promise<boolean> {
  try {
    await awsCall('iam:DetachUserPolicy', () => iamForDeploy(accountId).send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: arn })));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return false;
    throw error;
  }
}

/** The ARNs of the managed policies attached to the user directly (the window drift check). */
export async function listAttachedUserPolicyArns(accountId: string, userName: string): Promise<string[]> {
  return awsCall('iam:ListAttachedUserPolicies', async () => {
    const arns: string[] = [];
    for await (const page of paginateListAttachedUserPolicies({ client: iamForDeploy(accountId) }, { UserName: userName }))
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
    return arns;
  });
}

export async function tagUserWindow(accountId: string, userName: string, key: string, value: string): Promise<void> {
  await awsCall('iam:TagUser', () => iamForDeploy(accountId).send(new TagUserCommand({ UserName: userName, Tags: [{ Key: key, Value: value }] })));
}

export async function untagUserWindow(accountId: string, userName: string, key: string): Promise<void> {
  await awsCall('iam:UntagUser', () => iamForDeploy(accountId).send(new UntagUserCommand({ UserName: userName, TagKeys: [key] })));
}
