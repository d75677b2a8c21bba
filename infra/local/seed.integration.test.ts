import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  DeletePolicyCommand,
  DetachUserPolicyCommand,
  CreatePolicyVersionCommand,
  CreateVirtualMFADeviceCommand,
  DeletePolicyVersionCommand,
  GetLoginProfileCommand,
  ListAccountAliasesCommand,
  ListUsersCommand,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListUsers,
  paginateListUserTags,
  paginateListVirtualMFADevices,
  SetDefaultPolicyVersionCommand,
  UntagUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient, stsClient } from './aws-clients';
import { readGroundTruth, type GroundTruth, type GroundTruthUser } from './ground-truth';
import { collect, localStack, memberRoleClients } from './integration-support';
import { startMoto } from './moto';
import { runPool } from './pool';
import { seedOrganisation } from './seed';

const { stack, direct: target, portalKey } = localStack();

let truth: GroundTruth;
/** IAM clients per account, as the portal has them: its own key, then AssumeRole with the external id. */
let asPortal = new Map<string, IAMClient>();
const iamFor = (accountId: string) => asPortal.get(accountId) as IAMClient;

const errorName = (promise: Promise<unknown>) => promise.then(() => 'no error', (e: Error) => e.name);

beforeAll(async () => {
  truth = await readGroundTruth(stack.groundTruthFile);
  asPortal = await memberRoleClients(target, portalKey, truth, 'seed-test');
});

afterAll(() => {
  for (const client of asPortal.values()) client.destroy();
});

describe('the seeded organisation, seen as the portal sees it', () => {
  it('has every ground-truth user, with its path and ARN', async () => {
    for (const account of truth.accounts) {
      const listed = (await collect(paginateListUsers({ client: iamFor(account.id) }, {}))).flatMap((p) => p.Users ?? []);
      const byName = new Map(listed.map((u) => [u.UserName, u]));
      for (const user of truth.users.filter((u) => u.accountId === account.id)) {
        expect(byName.get(user.userName), user.userName).toMatchObject({ Path: user.path, Arn: user.arn });
      }
    }
  });

  it('names each account with its alias', async () => {
    for (const account of truth.accounts) {
      const { AccountAliases } = await iamFor(account.id).send(new ListAccountAliasesCommand({}));
      expect(AccountAliases).toEqual([account.alias]);
    }
  });

  it('shows every user with the console access, MFA devices, tags and groups the ground truth records', async () => {
    const observed = new Map<GroundTruthUser, unknown>();
    await runPool(truth.users, 8, async (user) => {
      const iam = iamFor(user.accountId);
      const UserName = user.userName;
      const consoleAccess = await iam.send(new GetLoginProfileCommand({ UserName })).then(
        () => true,
        (e: Error) => {
          if (e.name === 'NoSuchEntityException' || e.name === 'NoSuchEntity') return false;
          throw e;
        },
      );
      const devices = (await collect(paginateListMFADevices({ client: iam }, { UserName }))).flatMap((p) => p.MFADevices ?? []);
      const tags = (await collect(paginateListUserTags({ client: iam }, { UserName }))).flatMap((p) => p.Tags ?? []);
      const groups = (await collect(paginateListGroupsForUser({ client: iam }, { UserName }))).flatMap((p) => p.Groups ?? []);
      observed.set(user, {
        consoleAccess,
        serials: devices.map((d) => d.SerialNumber).sort(),
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
        groups: groups.map((g) => g.GroupName).sort(),
      });
    });
    for (const user of truth.users) {
      expect(observed.get(user), `${user.accountId}/${user.userName}`).toEqual({
        consoleAccess: user.consoleAccess,
        serials: user.devices.map((d) => d.serial).sort(),
        tags: user.tags,
        groups: [...user.groups].sort(),
      });
    }
  });

  it('lists leftover virtual devices as unassigned and enabled ones as assigned to their user', async () => {
    for (const account of truth.accounts) {
      const users = truth.users.filter((u) => u.accountId === account.id);
      const list = async (AssignmentStatus: 'Assigned' | 'Unassigned') =>
        (await collect(paginateListVirtualMFADevices({ client: iamFor(account.id) }, { AssignmentStatus }))).flatMap((p) => p.VirtualMFADevices ?? []);
      const unassigned = (await list('Unassigned')).map((d) => d.SerialNumber).sort();
      expect(unassigned).toEqual(users.flatMap((u) => u.leftoverVirtualDevices).sort());
      const assigned = (await list('Assigned')).map((d) => `${d.User?.UserName} ${d.SerialNumber}`).sort();
      expect(assigned).toEqual(users.flatMap((u) => u.devices.filter((d) => d.type === 'virtual').map((d) => `${u.userName} ${d.serial}`)).sort());
    }
  });

  it('records access keys that sign in as their user', async () => {
    expect(truth.accessKeys.map((k) => k.userName)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
    await runPool(truth.accessKeys, 8, async (key) => {
      const sts = stsClient(target, key);
      const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(Arn).toBe(truth.users.find((u) => u.accountId === key.accountId && u.userName === key.userName)?.arn);
    });
  });
});

describe('moto auth is on', () => {
  it('rejects a wrong secret and an unknown key', async () => {
    const wrongSecret = stsClient(target, { ...portalKey, secretAccessKey: `${portalKey.secretAccessKey}x` });
    expect(await errorName(wrongSecret.send(new GetCallerIdentityCommand({})))).toBe('SignatureDoesNotMatch');
    const unknown = stsClient(target, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope' });
    expect(await errorName(unknown.send(new GetCallerIdentityCommand({})))).toBe('InvalidClientTokenId');
  });

  it('lets the portal key do nothing in IAM without assuming the member role', async () => {
    const sts = stsClient(target, portalKey);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${truth.hostingAccountId}:user/${truth.portal.userName}`);
    const direct = iamClient(target, portalKey);
    expect(await errorName(direct.send(new ListUsersCommand({})))).toBe('AccessDenied');
  });

  // A policy that does not exist: an authorized call fails with NoSuchEntity, an unauthorized one with AccessDenied.
  it('lets only the deploy role write or attach the enforcement policy, attach window policies to users, or tag users; the deploy role reads no user or account', async () => {
    const account = truth.accounts[0]!.id;
    const PolicyArn = `arn:aws:iam::${account}:policy/MfaPortalSplitCheck`;
    const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }] });
    const writes = (iam: IAMClient) => [
      () => iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument })),
      () => iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn, VersionId: 'v1' })),
      () => iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v1' })),
      () => iam.send(new AttachGroupPolicyCommand({ GroupName: 'developers', PolicyArn })),
      () => iam.send(new UntagUserCommand({ UserName: 'no-such-user-split-check', TagKeys: ['mfa-exempt'] })),
      // Per-user windows (lib/aws/window-writes.ts).
      () => iam.send(new AttachUserPolicyCommand({ UserName: 'no-such-user-split-check', PolicyArn })),
      () => iam.send(new DetachUserPolicyCommand({ UserName: 'no-such-user-split-check', PolicyArn })),
      () => iam.send(new DeletePolicyCommand({ PolicyArn })),
    ];
    for (const call of writes(iamFor(account))) expect(await errorName(call())).toBe('AccessDenied');

    const deploy = iamClient(
      target,
      await assumeRole(target, portalKey, roleArn(account, truth.deployRole.name), { sessionName: 'seed-test', externalId: truth.deployRole.externalId }),
    );
    try {
      for (const call of writes(deploy)) expect(await errorName(call())).toMatch(/^NoSuchEntity(Exception)?$/);
      expect(await errorName(deploy.send(new ListUsersCommand({})))).toBe('AccessDenied');
      expect(await errorName(deploy.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'split-check' })))).toBe('AccessDenied');
    } finally {
      deploy.destroy();
    }
  });
});

describe('seeding', () => {
  it('is deterministic: two fresh seeds differ only in key material', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-portal-seed-determinism-'));
    try {
      const seedOnce = async (name: string) => {
        const moto = await startMoto({ hardwareTokensFile: join(dir, name, 'hardware-tokens.json') });
        try {
          const groundTruth = await seedOrganisation({ endpoint: moto.url, usersPerAccount: 12, outFile: join(dir, name, 'ground-truth.json') });
          const bootstrap = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'x' };
          const listed: string[] = [];
          for (const account of groundTruth.accounts) {
            const creds = await assumeRole({ ...target, endpoint: moto.url }, bootstrap, roleArn(account.id, 'Reader'), { sessionName: 'r' });
            const iam = iamClient({ ...target, endpoint: moto.url }, creds);
            for (const page of await collect(paginateListUsers({ client: iam }, {}))) {
              for (const u of page.Users ?? []) listed.push(`${u.Arn} ${JSON.stringify(u.Tags ?? [])}`);
            }
            for (const page of await collect(paginateListVirtualMFADevices({ client: iam }, { AssignmentStatus: 'Any' }))) {
              for (const d of page.VirtualMFADevices ?? []) listed.push(`${d.SerialNumber} ${d.User?.UserName ?? '-'}`);
            }
            iam.destroy();
          }
          return { groundTruth, listed: listed.sort() };
        } finally {
          await moto.stop();
        }
      };
      const a = await seedOnce('a');
      const b = await seedOnce('b');
      // Creation and sign-in dates are relative to the seed's moment: compared in whole days before it.
      const daysBefore = (at: string, iso: string | null | undefined) => (iso ? Math.round((Date.parse(at) - Date.parse(iso)) / 86_400_000) : iso);
      const withoutKeys = ({ groundTruth }: typeof a) => ({
        ...groundTruth,
        users: groundTruth.users.map((u) => ({ ...u, createdAt: daysBefore(groundTruth.generatedAt, u.createdAt), passwordLastUsed: daysBefore(groundTruth.generatedAt, u.passwordLastUsed) })),
        generatedAt: undefined,
        endpoint: undefined,
        portal: groundTruth.portal.userName,
        accessKeys: groundTruth.accessKeys.map((k) => `${k.accountId}/${k.userName}`),
      });
      expect(withoutKeys(a)).toEqual(withoutKeys(b));
      expect(a.listed).toEqual(b.listed);
      expect(a.groundTruth.portal.accessKeyId).not.toBe(b.groundTruth.portal.accessKeyId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
