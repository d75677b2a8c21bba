import 'server-only';
import { classifyAwsError } from '@/lib/aws/errors';
import { getManagedPolicy, getPolicyDocument, listAttachedGroupPolicyArns, listGroupUserNames, listPolicyVersions, type PolicyVersion } from '@/lib/aws/policies';
import { policyArn } from '@/lib/iam-identifiers';
import { MAX_POLICIES_PER_GROUP, memberName } from './policy-set';
import type { EnforcementProgram } from './program';

/** IAM keeps five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** One managed policy of the set as an account has it. */
export type MemberState = { name: string; arn: string; exists: boolean; defaultVersionId: string | null; versions: PolicyVersion[]; deployedJson: string | null };

/**
 * The enforcement policy set as one account has it. The top-level policy fields are the first policy's (`<name>`,
 * which every set has): its versions are the set's versions, as every deploy writes every policy of the set.
 * `members` are the set's policies that exist in the account, in set order. A group's `attached` means every existing
 * member is attached to it; `others` are the other managed policies attached to it (they count towards IAM's ten).
 */
export type AccountPolicyState = {
  accountId: string;
  label: string;
  arn: string;
  exists: boolean;
  defaultVersionId: string | null;
  versions: PolicyVersion[];
  deployedJson: string | null;
  members: MemberState[];
  groups: { name: string; exists: boolean; attached: boolean; attachedArns: string[]; others: string[] }[];
  error: string | null;
};

/** Whether two policy documents are the same JSON, layout aside; false when either is not JSON. */
export const sameDocument = (a: string | null, b: string) => {
  if (a === null) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

/** "v12" -> 12, for ordering versions when IAM gives no creation dates. */
const versionNumber = (v: PolicyVersion) => Number(v.versionId.replace(/^v/, '')) || 0;
const oldestFirst = (a: PolicyVersion, b: PolicyVersion) => (a.createdAt && b.createdAt ? a.createdAt.localeCompare(b.createdAt) : 0) || versionNumber(a) - versionNumber(b);

/** An expected AWS failure in words for the page and the audit; anything unknown is a bug and throws. */
export function explain(error: unknown): string {
  const { code, name } = classifyAwsError(error);
  if (code === 'Unknown') throw error;
  if (code === 'AccessDenied') return 'The member role is not allowed to manage the enforcement policy in this account (see infra/aws).';
  if (code === 'Throttled') return 'AWS is throttling requests; try again in a minute.';
  if (code === 'Unreachable' || code === 'ServiceFailure') return 'AWS could not be reached or failed; try again in a minute.';
  if (code === 'LimitExceeded') return 'IAM refused: a limit was reached (five policy versions, or ten managed policies on a group).';
  return `AWS refused: ${name}.`;
}

/** Reads one policy of the set: whether it exists, its retained versions (oldest first) and its default document. */
async function readMember(accountId: string, name: string, arn: string): Promise<MemberState> {
  const policy = await getManagedPolicy(accountId, arn);
  if (!policy) return { name, arn, exists: false, defaultVersionId: null, versions: [], deployedJson: null };
  const [versions, deployedJson] = await Promise.all([listPolicyVersions(accountId, arn), getPolicyDocument(accountId, arn, policy.defaultVersionId)]);
  return { name, arn, exists: true, defaultVersionId: policy.defaultVersionId, versions: versions.sort(oldestFirst), deployedJson };
}

/**
 * Reads the policy set (every name it may use: a set never needs more than a group can hold), the retained versions
 * and the enforced groups in one account; AWS failures become `error`.
 */
export async function readAccount(accountId: string, label: string, program: EnforcementProgram): Promise<AccountPolicyState> {
  const arnOf = (i: number) => policyArn(accountId, program.policyPath, memberName(program.policyName, i));
  const arn = arnOf(0);
  const base = { accountId, label, arn, exists: false, defaultVersionId: null, versions: [], deployedJson: null, members: [], groups: [], error: null };
  try {
    const [all, groups] = await Promise.all([
      Promise.all(Array.from({ length: MAX_POLICIES_PER_GROUP }, (_, i) => readMember(accountId, memberName(program.policyName, i), arnOf(i)))),
      Promise.all(
        program.groups.map(async (name) => {
          const members = await listGroupUserNames(accountId, name);
          return { name, exists: members !== null, attachedArns: members === null ? [] : await listAttachedGroupPolicyArns(accountId, name) };
        }),
      ),
    ]);
    const members = all.filter((m) => m.exists);
    const setArns = new Set(all.map((m) => m.arn));
    const first = all[0]!;
    return {
      ...base,
      exists: first.exists,
      defaultVersionId: first.defaultVersionId,
      versions: first.versions,
      deployedJson: first.deployedJson,
      members,
      groups: groups.map((g) => ({ ...g, attached: g.exists && members.length > 0 && members.every((m) => g.attachedArns.includes(m.arn)), others: g.attachedArns.filter((a) => !setArns.has(a)) })),
    };
  } catch (error) {
    return { ...base, error: explain(error) };
  }
}
