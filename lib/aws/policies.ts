import 'server-only';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  paginateGetGroup,
  paginateListAttachedGroupPolicies,
} from '@aws-sdk/client-iam';
import { iamForAccount } from './clients';
import { awsCall, isAwsError } from './errors';

/** A customer-managed policy as the portal sees it. */
export type ManagedPolicy = { arn: string; defaultVersionId: string; attachmentCount: number };
export type PolicyVersion = { versionId: string; isDefault: boolean; createdAt: string | null };

export { policyArn } from '@/lib/iam-identifiers';

export async function getManagedPolicy(accountId: string, arn: string): Promise<ManagedPolicy | null> {
  try {
    const out = await awsCall('iam:GetPolicy', () => iamForAccount(accountId).send(new GetPolicyCommand({ PolicyArn: arn })));
    return { arn, defaultVersionId: out.Policy?.DefaultVersionId ?? 'v1', attachmentCount: out.Policy?.AttachmentCount ?? 0 };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/** IAM returns at most five versions, so one page holds them all. */
export async function listPolicyVersions(accountId: string, arn: string): Promise<PolicyVersion[]> {
  const out = await awsCall('iam:ListPolicyVersions', () => iamForAccount(accountId).send(new ListPolicyVersionsCommand({ PolicyArn: arn })));
  return (out.Versions ?? []).map((v) => ({ versionId: v.VersionId ?? '', isDefault: Boolean(v.IsDefaultVersion), createdAt: v.CreateDate ? new Date(v.CreateDate).toISOString() : null }));
}

/** The version's document as JSON text (IAM returns it URL-encoded). */
export async function getPolicyDocument(accountId: string, arn: string, versionId: string): Promise<string> {
  const out = await awsCall('iam:GetPolicyVersion', () => iamForAccount(accountId).send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })));
  const raw = out.PolicyVersion?.Document ?? '{}';
  return raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw);
}

export async function listAttachedGroupPolicyArns(accountId: string, group: string): Promise<string[]> {
  return awsCall('iam:ListAttachedGroupPolicies', async () => {
    const arns: string[] = [];
    for await (const page of paginateListAttachedGroupPolicies({ client: iamForAccount(accountId) }, { GroupName: group }))
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
    return arns;
  });
}

/** The user names in a group; null when the group does not exist in that account. */
export async function listGroupUserNames(accountId: string, group: string): Promise<string[] | null> {
  try {
    return await awsCall('iam:GetGroup', async () => {
      const names: string[] = [];
      for await (const page of paginateGetGroup({ client: iamForAccount(accountId) }, { GroupName: group })) for (const u of page.Users ?? []) if (u.UserName) names.push(u.UserName);
      return names;
    });
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}
