import { CreateUserCommand, UpdateUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleIam } from '@/infra/local/console';
import { DEV_ACCOUNT } from '@/infra/local/organisation';
import type { Actor } from '@/lib/auth/types';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { principalKey } from '@/lib/enrollment/ownership';
import { readUserRow } from '@/lib/inventory/store';
import { enableConsoleWithMfa } from '@/test-support/console-user';
import { removeTestUsersAndSetups } from '@/test-support/iam-cleanup';
import { useLocalStack } from '@/test-support/stack';
import { applyEventMessage } from './apply';
import { consoleLoginEnvelope, iamCallEnvelope } from './envelope';
import { getSignInEvidence } from './evidence';

/** UpdateUser with a new name, applied as it comes from the queue (moto directly: no event of its own). */
let iam: IAMClient;
const before = `events-rename-${randomBytes(4).readUInt32BE(0)}`;
const after = `${before}-renamed`;
const admin: Actor = { id: 'admin@example.com', email: 'admin@example.com', name: 'Admin', method: 'oidc', roles: ['admin'], principals: [], authTime: 0 };
const apply = (envelope: unknown) => applyEventMessage(JSON.stringify(envelope));

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  resetAwsClients();
  iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: DEV_ACCOUNT, groundTruth });
});

afterAll(async () => {
  await removeTestUsersAndSetups(iam, [after]);
  iam.destroy();
});

describe('a renamed IAM user', () => {
  it('is stored under its new name only, and keeps its console sign-in evidence', async () => {
    await iam.send(new CreateUserCommand({ UserName: before }));
    await enableConsoleWithMfa(iam, before);
    await apply(iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'CreateUser', requestParameters: { userName: before } }));
    const signIn = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: before, mfaUsed: true });
    await apply(signIn);

    await iam.send(new UpdateUserCommand({ UserName: before, NewUserName: after }));
    expect(await apply(iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'UpdateUser', requestParameters: { userName: before, newUserName: after } }))).toMatchObject({
      kind: 'applied',
    });
    const db = await getDb();
    expect(await readUserRow(db, DEV_ACCOUNT, before)).toBeNull();
    expect(await readUserRow(db, DEV_ACCOUNT, after)).toMatchObject({ consoleAccess: true, mfaState: expect.not.stringMatching(/^none$/) });
    const evidence = await getSignInEvidence(admin, [{ accountId: DEV_ACCOUNT, userName: after }]);
    expect(evidence.get(principalKey({ accountId: DEV_ACCOUNT, userName: after }))?.mfaSeenAt).toEqual(new Date(signIn.detail.eventTime));
  });
});
