import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assumeRole, iamClient, roleArn, type AwsTarget } from './aws-clients';
import { groundTruthSchema, type GroundTruth, type GroundTruthAccessKey } from './ground-truth';
import { planOrganisation, type PlannedUser } from './org-plan';
import {
  ACCOUNTS,
  ALL_GROUPS,
  HOSTING_ACCOUNT,
  MEMBER_ROLE_EXTERNAL_ID,
  MEMBER_ROLE_NAME,
  PORTAL_USER_NAME,
} from './organisation';
import { demoPeople } from './people';
import { memberRolePolicy, memberRoleTrustPolicy, portalUserPolicy } from './policies';
import { runPool } from './pool';

export type SeedProgress = { done: number; total: number };

export type SeedOptions = {
  endpoint: string;
  region?: string;
  usersPerAccount?: number;
  /** Where to write the ground truth; hardware-tokens.json goes beside it. */
  outFile: string;
  concurrency?: number;
  seed?: string;
  onProgress?: (progress: SeedProgress) => void;
};

/** Any key works while moto's auth is off; AssumeRole with it reaches any account. */
const BOOTSTRAP_CREDENTIALS = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' };
/** Console passwords are never used for sign-in in the local stack; one value keeps them out of the ground truth. */
const CONSOLE_PASSWORD = 'Demo-console-password-1!';
/** moto does not check codes at enable time (the fidelity proxy does, later, for the portal's calls). */
const SEED_CODES = { AuthenticationCode1: '123456', AuthenticationCode2: '654321' };

export const hardwareTokensFile = (groundTruthFile: string) => join(dirname(groundTruthFile), 'hardware-tokens.json');

async function setUpAccount(iam: IAMClient, account: (typeof ACCOUNTS)[number]): Promise<void> {
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: account.alias }));
  for (const group of ALL_GROUPS) await iam.send(new CreateGroupCommand({ GroupName: group }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: MEMBER_ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify(memberRoleTrustPolicy(HOSTING_ACCOUNT, MEMBER_ROLE_EXTERNAL_ID, PORTAL_USER_NAME)),
      Description: 'Lets the MFA portal inventory IAM users and manage their MFA devices',
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({ RoleName: MEMBER_ROLE_NAME, PolicyName: 'MfaPortal', PolicyDocument: JSON.stringify(memberRolePolicy()) }),
  );
}

async function createUser(iam: IAMClient, user: PlannedUser): Promise<GroundTruthAccessKey | undefined> {
  const { userName: UserName } = user;
  await iam.send(
    new CreateUserCommand({ UserName, Path: user.path, Tags: Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  if (user.consoleAccess) await iam.send(new CreateLoginProfileCommand({ UserName, Password: CONSOLE_PASSWORD }));
  for (const GroupName of user.groups) await iam.send(new AddUserToGroupCommand({ UserName, GroupName }));
  for (const device of user.devices) {
    if (device.type === 'virtual') await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: device.name }));
    await iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber: device.serial, ...SEED_CODES }));
  }
  for (const serial of user.leftoverVirtualDevices) {
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: serial.slice(serial.lastIndexOf('/') + 1) }));
  }
  if (!user.accessKey) return undefined;
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`CreateAccessKey for ${UserName} returned no key`);
  return { accountId: user.accountId, userName: UserName, accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/**
 * Seeds a fresh moto (auth off) with the demo organisation and writes the ground truth. Everything but
 * generated key material is a pure function of the options. Turning moto's auth on is left to the caller.
 */
export async function seedOrganisation(options: SeedOptions): Promise<GroundTruth> {
  const target: AwsTarget = { endpoint: options.endpoint, region: options.region ?? 'us-east-1' };
  const plan = planOrganisation({ usersPerAccount: options.usersPerAccount ?? 50, seed: options.seed });

  const clients = new Map<string, IAMClient>();
  const clientFor = (accountId: string) => {
    const client = clients.get(accountId);
    if (!client) throw new Error(`no IAM client for account ${accountId}`);
    return client;
  };

  try {
    for (const account of ACCOUNTS) {
      const credentials = await assumeRole(target, BOOTSTRAP_CREDENTIALS, roleArn(account.id, 'OrganizationAccountAccessRole'), {
        sessionName: 'demo-seed',
      });
      clients.set(account.id, iamClient(target, credentials));
    }
    await Promise.all(ACCOUNTS.map((account) => setUpAccount(clientFor(account.id), account)));

    const keys = new Array<GroundTruthAccessKey | undefined>(plan.users.length);
    let done = 0;
    await runPool(plan.users, options.concurrency ?? 16, async (user, index) => {
      try {
        keys[index] = await createUser(clientFor(user.accountId), user);
      } catch (error) {
        throw new Error(`seeding ${user.accountId}/${user.userName} failed: ${(error as Error).message}`, { cause: error });
      }
      done += 1;
      options.onProgress?.({ done, total: plan.users.length });
    });

    const hosting = clientFor(HOSTING_ACCOUNT);
    await hosting.send(
      new PutUserPolicyCommand({ UserName: PORTAL_USER_NAME, PolicyName: 'AssumeMemberRole', PolicyDocument: JSON.stringify(portalUserPolicy(MEMBER_ROLE_NAME)) }),
    );
    const { AccessKey: portalKey } = await hosting.send(new CreateAccessKeyCommand({ UserName: PORTAL_USER_NAME }));
    if (!portalKey?.AccessKeyId || !portalKey.SecretAccessKey) throw new Error('CreateAccessKey for the portal user returned no key');

    // Parsing drops the plan's own fields and checks that readers will accept the file.
    const truth: GroundTruth = groundTruthSchema.parse({
      generatedAt: new Date().toISOString(),
      endpoint: options.endpoint,
      region: target.region,
      hostingAccountId: HOSTING_ACCOUNT,
      portal: { userName: PORTAL_USER_NAME, accessKeyId: portalKey.AccessKeyId, secretAccessKey: portalKey.SecretAccessKey },
      memberRole: { name: MEMBER_ROLE_NAME, externalId: MEMBER_ROLE_EXTERNAL_ID },
      accounts: ACCOUNTS.map(({ id, name, alias }) => ({ id, name, alias })),
      people: demoPeople,
      users: plan.users,
      accessKeys: keys.filter((k): k is GroundTruthAccessKey => k !== undefined),
    });
    await mkdir(dirname(options.outFile), { recursive: true });
    await writeFile(options.outFile, `${JSON.stringify(truth, null, 2)}\n`);
    await writeFile(hardwareTokensFile(options.outFile), `${JSON.stringify(plan.hardwareTokens, null, 2)}\n`);
    return truth;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}
