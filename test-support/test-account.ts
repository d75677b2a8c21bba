import { afterAll, beforeAll } from 'vitest';
import type { IAMClient } from '@aws-sdk/client-iam';
import { consoleIam } from '@/infra/local/console';
import { resetAwsClients } from '@/lib/aws/clients';
import type { Actor } from '@/lib/auth/types';
import { createTestActor, removeTestUsersAndSetups } from './iam-cleanup';
import { useLocalStack } from './stack';

/**
 * One account of the local stack for a domain test file: starts the stack and a console-side IAM client before the
 * file's tests (`account.iam` is set from then on), and removes the users they created, with their unfinished
 * set-ups, afterwards.
 */
export function withTestAccount(accountId: string) {
  const account = {
    accountId,
    iam: undefined as unknown as IAMClient,
    created: [] as string[],
    /** A fresh IAM user in this account and a member actor who owns it; removed after the file. */
    newActor: (prefix: string): Promise<Actor> => createTestActor(account.iam, accountId, prefix, account.created),
  };
  beforeAll(async () => {
    const { stack, groundTruth } = await useLocalStack();
    resetAwsClients();
    account.iam = await consoleIam({ motoUrl: stack.motoUrl, accountId, groundTruth });
  });
  afterAll(async () => {
    await removeTestUsersAndSetups(account.iam, account.created);
    account.iam.destroy();
  });
  return account;
}
