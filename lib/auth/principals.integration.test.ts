import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AddUserToGroupCommand, CreateAccessKeyCommand, CreateGroupCommand, CreateUserCommand, IAMClient, RemoveUserFromGroupCommand } from '@aws-sdk/client-iam';
import { consoleIam } from '@/infra/local/console';
import { createTestActor, removeTestUsersAndSetups } from '@/test-support/iam-cleanup';
import { useLocalStack } from '@/test-support/stack';
import { setMotoAuth } from '@/infra/local/moto';
import { ADMIN_GROUP, DEV_ACCOUNT, SECURITY_ACCOUNT } from '@/infra/local/organisation';
import { getEnv } from '@/lib/env';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { resetAwsClients } from '@/lib/aws/clients';
import { identityForAccessKeys, identityForEmail, rederiveIdentity, SignInError } from './principals';
import { roleArn } from '@/lib/iam-identifiers';

let truth: GroundTruth;
let motoUrl: string;

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  truth = groundTruth;
  motoUrl = stack.motoUrl;
  resetAwsClients();
});

const ownedBy = (email: string) =>
  truth.users
    .filter((u) => u.email?.toLowerCase() === email)
    .map((u) => ({ accountId: u.accountId, userName: u.userName, arn: u.arn }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));

async function signInError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(SignInError);
  return (error as SignInError).code;
}

describe('OIDC identity', () => {
  it('maps an email to every IAM user tagged with it, in every account, case-insensitively', async () => {
    const identity = await identityForEmail({ email: 'Alice@Example.com', name: 'Alice', groupsClaim: [] });
    expect(identity.principals).toEqual(ownedBy('alice@example.com'));
    expect(new Set(identity.principals.map((p) => p.accountId)).size).toBeGreaterThan(1);
    expect(identity.roles).toEqual(['member']);
    expect(identity.id).toBe('alice@example.com');
  });

  it('takes roles from the IAM groups of the person\'s users', async () => {
    expect((await identityForEmail({ email: 'carol@example.com', groupsClaim: [] })).roles).toEqual(['member', 'admin']);
    expect((await identityForEmail({ email: 'dave@example.com', groupsClaim: [] })).roles).toEqual(['member', 'admin', 'security']);
  });

  it('takes roles from the groups claim', async () => {
    const frank = await identityForEmail({ email: 'frank@example.com', groupsClaim: ['mfa-portal-admins'] });
    expect(frank.roles).toEqual(['member', 'admin']);
    const plain = await identityForEmail({ email: 'frank@example.com', groupsClaim: [] });
    expect(plain.roles).toEqual(['member']);
  });

  it('gives a person with no IAM user an identity with no principals', async () => {
    const erin = await identityForEmail({ email: 'erin@example.com', groupsClaim: [] });
    expect(erin.principals).toEqual([]);
    expect(erin.roles).toEqual(['member']);
  });
});

describe('access-key identity', () => {
  it('maps keys to exactly their IAM user', async () => {
    const key = truth.accessKeys.find((k) => k.userName === 'alice')!;
    const identity = await identityForAccessKeys({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    expect(identity.principals).toEqual([{ accountId: key.accountId, userName: 'alice', arn: `arn:aws:iam::${key.accountId}:user/alice` }]);
    expect(identity.method).toBe('aws-keys');
    expect(identity.email).toBe('alice@example.com');
  });

  it('gives admins their role through access keys too', async () => {
    const key = truth.accessKeys.find((k) => k.userName === 'carol')!;
    expect((await identityForAccessKeys({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey })).roles).toContain('admin');
  });

  it('refuses a wrong secret and an unknown key', async () => {
    const key = truth.accessKeys[0]!;
    expect(await signInError(identityForAccessKeys({ accessKeyId: key.accessKeyId, secretAccessKey: 'x'.repeat(40) }))).toBe('InvalidKeys');
    expect(await signInError(identityForAccessKeys({ accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x'.repeat(40) }))).toBe('InvalidKeys');
  });

  it('refuses role credentials: they are not an IAM user', async () => {
    const sts = new STSClient({
      endpoint: truth.endpoint,
      region: truth.region,
      credentials: { accessKeyId: truth.portal.accessKeyId, secretAccessKey: truth.portal.secretAccessKey },
    });
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn(truth.accounts[0]!.id, truth.memberRole.name), RoleSessionName: 't', ExternalId: truth.memberRole.externalId }),
    );
    const c = out.Credentials!;
    expect(await signInError(identityForAccessKeys({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }))).toBe('NotIamUser');
  });

  it('refuses an IAM user of an account the portal does not manage', async () => {
    // Creating a user in a foreign account needs moto's bootstrap mode for a moment.
    await setMotoAuth(motoUrl, false);
    let keys: { accessKeyId: string; secretAccessKey: string };
    try {
      const bootstrap = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'x' };
      const sts = new STSClient({ endpoint: truth.endpoint, region: truth.region, credentials: bootstrap });
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444444444444:role/Setup', RoleSessionName: 's' }))).Credentials!;
      const iam = new IAMClient({ endpoint: truth.endpoint, region: truth.region, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
      await iam.send(new CreateUserCommand({ UserName: 'outsider' }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'outsider' }))).AccessKey!;
      keys = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    } finally {
      await setMotoAuth(motoUrl, true);
    }
    expect(await signInError(identityForAccessKeys(keys))).toBe('UnmanagedAccount');
  });
});

describe('roles only from the accounts whose groups may grant them', () => {
  /** An IAM client acting as an administrator of one account, through moto's bootstrap mode (only for set-up). */
  async function asAccountAdmin<T>(accountId: string, run: (iam: IAMClient) => Promise<T>): Promise<T> {
    await setMotoAuth(motoUrl, false);
    try {
      const bootstrap = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'x' };
      const sts = new STSClient({ endpoint: truth.endpoint, region: truth.region, credentials: bootstrap });
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn(accountId, 'Setup'), RoleSessionName: 's' }))).Credentials!;
      const iam = new IAMClient({ endpoint: truth.endpoint, region: truth.region, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
      return await run(iam);
    } finally {
      await setMotoAuth(motoUrl, true);
    }
  }

  it('the demo names its Security account; bob in Development\'s mfa-portal-admins does not become an admin', async () => {
    expect(getEnv().MFA_ROLE_GROUPS_ACCOUNTS).toEqual([SECURITY_ACCOUNT]);
    const bob = truth.users.find((u) => u.userName === 'bob' && u.accountId === DEV_ACCOUNT);
    expect(bob?.email).toBe('bob@example.com');
    const key = truth.accessKeys.find((k) => k.userName === 'bob' && k.accountId === DEV_ACCOUNT)!;
    await asAccountAdmin(DEV_ACCOUNT, async (iam) => {
      await iam.send(new CreateGroupCommand({ GroupName: ADMIN_GROUP })).catch((e: Error) => {
        if (e.name !== 'EntityAlreadyExists' && e.name !== 'EntityAlreadyExistsException') throw e;
      });
      await iam.send(new AddUserToGroupCommand({ GroupName: ADMIN_GROUP, UserName: 'bob' }));
    });
    try {
      expect((await identityForEmail({ email: 'bob@example.com', groupsClaim: [] })).roles).toEqual(['member']);
      expect((await identityForAccessKeys({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey })).roles).toEqual(['member']);
      // The same group in the Security account still grants the role.
      expect((await identityForEmail({ email: 'carol@example.com', groupsClaim: [] })).roles).toContain('admin');
    } finally {
      await asAccountAdmin(DEV_ACCOUNT, (iam) => iam.send(new RemoveUserFromGroupCommand({ GroupName: ADMIN_GROUP, UserName: 'bob' })));
    }
  });
});

describe('re-derived identity (sessions)', () => {
  const created: string[] = [];
  let iam: IAMClient;
  let accountId: string;
  beforeAll(async () => {
    accountId = truth.accessKeys.find((k) => k.userName === 'carol')!.accountId;
    iam = await consoleIam({ motoUrl, accountId, groundTruth: truth });
  });
  afterAll(async () => {
    for (const u of created) await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'mfa-portal-admins', UserName: u })).catch(() => undefined);
    await removeTestUsersAndSetups(iam, created);
  });

  it('an access-key person removed from the admin group loses admin on re-derivation, without their keys', async () => {
    const member = await createTestActor(iam, accountId, 'rederive', created);
    const userName = member.principals[0]!.userName;
    await iam.send(new AddUserToGroupCommand({ GroupName: 'mfa-portal-admins', UserName: userName }));
    const asAdmin = await rederiveIdentity(member, []);
    expect(asAdmin.roles).toEqual(['member', 'admin']);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'mfa-portal-admins', UserName: userName }));
    expect(await rederiveIdentity(asAdmin, [])).toEqual({ ...asAdmin, roles: ['member'] });
  });

  it('an OIDC person keeps the groups claim from sign-in and has IAM groups read afresh', async () => {
    const carol = await identityForEmail({ email: 'carol@example.com', groupsClaim: [] });
    expect((await rederiveIdentity(carol, [])).roles).toEqual(['member', 'admin']);
    const frank = await identityForEmail({ email: 'frank@example.com', groupsClaim: [] });
    expect((await rederiveIdentity(frank, ['mfa-portal-admins'])).roles).toEqual(['member', 'admin']);
    expect((await rederiveIdentity(frank, [])).roles).toEqual(['member']);
  });
});
