import { AddUserToGroupCommand, CreateGroupCommand, type IAMClient } from '@aws-sdk/client-iam';
import { consoleIam } from '../../infra/local/console';
import * as shared from '../../test-support/enforcement-iam';
import { env } from './iam';

export { ENFORCED_GROUP, enforcementPolicyArn as policyArn } from '../../test-support/enforcement-iam';

async function withConsole<T>(accountId: string, fn: (iam: IAMClient) => Promise<T>): Promise<T> {
  const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId, groundTruth: env('E2E_GROUND_TRUTH') });
  try {
    return await fn(iam);
  } finally {
    iam.destroy();
  }
}

/**
 * Creates the enforced group (the seed has none) with one user in it. Fails if the group exists already: it would
 * not be this spec's to delete afterwards.
 */
export async function createEnforcedGroup(accountId: string, userName: string): Promise<void> {
  await withConsole(accountId, async (iam) => {
    await iam.send(new CreateGroupCommand({ GroupName: shared.ENFORCED_GROUP }));
    await iam.send(new AddUserToGroupCommand({ GroupName: shared.ENFORCED_GROUP, UserName: userName }));
  });
}

/** Takes the user out of the group, detaches every policy from it and deletes it. Missing pieces are fine. */
export const deleteEnforcedGroup = (accountId: string, userName: string) => withConsole(accountId, (iam) => shared.deleteEnforcedGroup(iam, [userName]));

/** Deletes every policy of the enforcement set the portal deployed (non-default versions first, as IAM requires). Detach them first. */
export const deleteEnforcementPolicy = (accountId: string) => withConsole(accountId, (iam) => shared.deleteEnforcementPolicy(iam, accountId));

/** The default version of the enforcement policy in an account, or null when there is none. */
export const defaultPolicyVersion = (accountId: string) => withConsole(accountId, async (iam) => (await shared.policyVersions(iam, accountId)).find((v) => v.isDefault)?.versionId ?? null);
