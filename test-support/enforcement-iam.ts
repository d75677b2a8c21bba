/**
 * The enforcement policy and group as tests leave them in the local stack, and how they clean up: shared by the
 * integration tests of lib/enforcement and the e2e spec. Every function takes the IAM client of one account.
 */
import {
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListPolicyVersionsCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { policyArn } from '../lib/iam-identifiers';

/** The portal's defaults (lib/env.ts), which the local stack does not change. */
export const ENFORCED_GROUP = 'mfa-enforced';
export const POLICY_NAME = 'MfaPortalEnforcement';
export const enforcementPolicyArn = (accountId: string, name = POLICY_NAME) => policyArn(accountId, '/', name);
/** Every name the policy set may use (lib/enforcement/policy-set.ts): the policy, then -2 … -10. */
export const POLICY_SET_NAMES = [POLICY_NAME, ...Array.from({ length: 9 }, (_, i) => `${POLICY_NAME}-${i + 2}`)];

const missing = (error: unknown) => ['NoSuchEntityException', 'NoSuchEntity'].includes((error as Error).name);
const ignoreMissing = (error: unknown) => {
  if (!missing(error)) throw error;
};
const nullIfMissing = (error: unknown) => (missing(error) ? null : Promise.reject(error));

/** The policy's retained versions, oldest first (version ids grow); empty when there is no policy. */
export async function policyVersions(iam: IAMClient, accountId: string, name = POLICY_NAME): Promise<{ versionId: string; isDefault: boolean }[]> {
  const out = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: enforcementPolicyArn(accountId, name) })).catch(nullIfMissing);
  return (out?.Versions ?? []).map((v) => ({ versionId: v.VersionId!, isDefault: v.IsDefaultVersion === true })).sort((a, b) => Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)));
}

/** Takes the users out of the enforced group, detaches every policy from it and deletes it. Missing pieces are fine. */
export async function deleteEnforcedGroup(iam: IAMClient, userNames: readonly string[]): Promise<void> {
  for (const userName of userNames) await iam.send(new RemoveUserFromGroupCommand({ GroupName: ENFORCED_GROUP, UserName: userName })).catch(ignoreMissing);
  const attached = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: ENFORCED_GROUP })).catch(nullIfMissing);
  if (!attached) return;
  for (const p of attached.AttachedPolicies ?? []) await iam.send(new DetachGroupPolicyCommand({ GroupName: ENFORCED_GROUP, PolicyArn: p.PolicyArn! }));
  await iam.send(new DeleteGroupCommand({ GroupName: ENFORCED_GROUP })).catch(ignoreMissing);
}

/** Deletes every policy of the enforcement set (non-default versions first, as IAM requires). Detach them first. Missing is fine. */
export async function deleteEnforcementPolicy(iam: IAMClient, accountId: string): Promise<void> {
  for (const name of POLICY_SET_NAMES) {
    const arn = enforcementPolicyArn(accountId, name);
    for (const v of await policyVersions(iam, accountId, name)) if (!v.isDefault) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.versionId }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn })).catch(ignoreMissing);
  }
}
