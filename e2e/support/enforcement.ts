import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListPolicyVersionsCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { consoleIam } from '../../infra/local/console';
import { env } from './iam';

/** The portal's defaults (lib/env.ts), which the local stack does not change. */
export const ENFORCED_GROUP = 'mfa-enforced';
export const POLICY_NAME = 'MfaPortalEnforcement';
export const policyArn = (accountId: string) => `arn:aws:iam::${accountId}:policy/${POLICY_NAME}`;

async function withConsole<T>(accountId: string, fn: (iam: IAMClient) => Promise<T>): Promise<T> {
  const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId, groundTruth: env('E2E_GROUND_TRUTH') });
  try {
    return await fn(iam);
  } finally {
    iam.destroy();
  }
}

const missing = (error: unknown) => ['NoSuchEntityException', 'NoSuchEntity'].includes((error as Error).name);
const ignoreMissing = (error: unknown) => {
  if (!missing(error)) throw error;
};

/**
 * Creates the enforced group (the seed has none) with one user in it. Fails if the group exists already: it would
 * not be this spec's to delete afterwards.
 */
export async function createEnforcedGroup(accountId: string, userName: string): Promise<void> {
  await withConsole(accountId, async (iam) => {
    await iam.send(new CreateGroupCommand({ GroupName: ENFORCED_GROUP }));
    await iam.send(new AddUserToGroupCommand({ GroupName: ENFORCED_GROUP, UserName: userName }));
  });
}

/** Takes the user out of the group, detaches every policy from it and deletes it. Missing pieces are fine. */
export async function deleteEnforcedGroup(accountId: string, userName: string): Promise<void> {
  await withConsole(accountId, async (iam) => {
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: ENFORCED_GROUP, UserName: userName })).catch(ignoreMissing);
    const attached = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: ENFORCED_GROUP })).catch((e: unknown) => (missing(e) ? null : Promise.reject(e)));
    if (!attached) return;
    for (const p of attached.AttachedPolicies ?? []) await iam.send(new DetachGroupPolicyCommand({ GroupName: ENFORCED_GROUP, PolicyArn: p.PolicyArn! }));
    await iam.send(new DeleteGroupCommand({ GroupName: ENFORCED_GROUP })).catch(ignoreMissing);
  });
}

/** Deletes the enforcement policy the portal deployed (its non-default versions first, as IAM requires). Detach it first. */
export async function deleteEnforcementPolicy(accountId: string): Promise<void> {
  await withConsole(accountId, async (iam) => {
    const arn = policyArn(accountId);
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })).catch((e: unknown) => (missing(e) ? null : Promise.reject(e)));
    if (!versions) return;
    for (const v of versions.Versions ?? []) if (!v.IsDefaultVersion) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId! }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn })).catch(ignoreMissing);
  });
}

/** The default version of the enforcement policy in an account, or null when there is none. */
export async function defaultPolicyVersion(accountId: string): Promise<string | null> {
  return withConsole(accountId, async (iam) => {
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn(accountId) })).catch((e: unknown) => (missing(e) ? null : Promise.reject(e)));
    return versions?.Versions?.find((v) => v.IsDefaultVersion)?.VersionId ?? null;
  });
}
