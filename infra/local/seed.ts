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
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient, type AwsTarget } from './aws-clients';
import { createLocalOrganization, ORGANIZATIONS_READ_EXTERNAL_ID, ORGANIZATIONS_READ_ROLE_NAME, organizationsReadPolicy, portalOrganizationsPolicy } from './aws-organization';
import { setUserActivity, withCertifications, withConsoleHeader } from './console';
import { groundTruthSchema, type GroundTruth, type GroundTruthAccessKey, type HardwareToken } from './ground-truth';
import { planOrganisation, type PlannedUser } from './org-plan';
import {
  ACCOUNTS,
  ALL_GROUPS,
  DEPLOY_ROLE_EXTERNAL_ID,
  DEPLOY_ROLE_NAME,
  HOSTING_ACCOUNT,
  LOCAL_CONSOLE_ROLE_NAME,
  LOCAL_CONSOLE_USER_NAME,
  MEMBER_ROLE_EXTERNAL_ID,
  MEMBER_ROLE_NAME,
  PORTAL_USER_NAME,
} from './organisation';
import { demoPeople } from './people';
import {
  deployRolePolicy,
  localConsoleRolePolicy,
  localConsoleTrustPolicy,
  localConsoleUserPolicy,
  memberRolePolicy,
  memberRoleTrustPolicy,
  portalEventsPolicy,
  portalSesPolicy,
  portalUserPolicy,
} from './policies';
import { runPool } from './pool';
import { consecutiveCodes, secretFromSeed } from './totp';

export type SeedProgress = { done: number; total: number };

export type SeedOptions = {
  /** moto itself (not the proxy): the seed registers FIDO keys with the console header, which the proxy refuses. */
  endpoint: string;
  /** What the ground truth records as the AWS endpoint (default: endpoint), e.g. the proxy in front of moto. */
  publishedEndpoint?: string;
  region?: string;
  usersPerAccount?: number;
  /**
   * Where to write the ground truth; hardware-tokens.json goes beside it, written before any device is enabled:
   * moto must have been started with that file as its inventory (startMoto's hardwareTokensFile).
   */
  outFile: string;
  concurrency?: number;
  seed?: string;
  onProgress?: (progress: SeedProgress) => void;
};

/** Any key works while moto's auth is off; AssumeRole with it reaches any account. */
const BOOTSTRAP_CREDENTIALS = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' };
/** Console passwords are never used for sign-in in the local stack; one value keeps them out of the ground truth. */
const CONSOLE_PASSWORD = 'Demo-console-password-1!';

const DAY_MS = 86_400_000;

/** The address the portal sends reminders from: a verified SES identity in the hosting account. */
export const DEMO_REMINDER_SENDER = 'mfa-portal@example.com';

export const hardwareTokensFile = (groundTruthFile: string) => join(dirname(groundTruthFile), 'hardware-tokens.json');
/** Beside the hardware tokens (moto_fidelity.py finds it there): each account's root user, for the report's root row. */
export const rootUsersFile = (groundTruthFile: string) => join(dirname(groundTruthFile), 'root-users.json');

/** Replaces the file in one step (write, then rename), so moto never reads half an inventory. */
async function writeHardwareTokens(file: string, tokens: readonly HardwareToken[]): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  // Each token says whether it was a spare when the demo started (free to enroll) or whose it is; the secret last.
  const described = tokens.map(({ secretBase32, ...token }) => ({ ...token, spare: !token.userName, secretBase32 }));
  await writeFile(temporary, `${JSON.stringify(described, null, 2)}\n`);
  await rename(temporary, file);
}

/** A role with its trust policy and one inline policy, as the member-account stack creates it. */
async function createRole(iam: IAMClient, role: { name: string; trust: unknown; description: string; policyName: string; policy: unknown }): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: JSON.stringify(role.trust), Description: role.description }));
  await iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: role.policyName, PolicyDocument: JSON.stringify(role.policy) }));
}

async function setUpAccount(iam: IAMClient, account: Pick<(typeof ACCOUNTS)[number], 'alias'>): Promise<void> {
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: account.alias }));
  for (const group of ALL_GROUPS) await iam.send(new CreateGroupCommand({ GroupName: group }));
  await createRole(iam, {
    name: MEMBER_ROLE_NAME,
    trust: memberRoleTrustPolicy(HOSTING_ACCOUNT, MEMBER_ROLE_EXTERNAL_ID, PORTAL_USER_NAME),
    description: 'Lets the MFA portal inventory IAM users and manage their MFA devices',
    policyName: 'MfaPortal',
    policy: memberRolePolicy(),
  });
  await createRole(iam, {
    name: DEPLOY_ROLE_NAME,
    trust: memberRoleTrustPolicy(HOSTING_ACCOUNT, DEPLOY_ROLE_EXTERNAL_ID, PORTAL_USER_NAME),
    description: 'Lets the MFA portal deploy and roll back the enforcement policy and reconcile mfa-* tags',
    policyName: 'MfaPortalDeploy',
    policy: deployRolePolicy(),
  });
  await createRole(iam, {
    name: LOCAL_CONSOLE_ROLE_NAME,
    trust: localConsoleTrustPolicy(HOSTING_ACCOUNT, LOCAL_CONSOLE_USER_NAME),
    description: 'Local stack only: what the AWS console can do (register FIDO keys, set up test users)',
    policyName: 'LocalConsole',
    policy: localConsoleRolePolicy(),
  });
}

/**
 * One more managed account beyond the demo organisation, set up as the seed sets up each demo account (alias, groups,
 * the portal's roles), for benchmarks at organisation scale. Returns its console IAM client (moto directly).
 */
export async function setUpExtraAccount(target: AwsTarget, accountId: string, alias: string): Promise<IAMClient> {
  const credentials = await assumeRole(target, BOOTSTRAP_CREDENTIALS, roleArn(accountId, 'OrganizationAccountAccessRole'), { sessionName: 'extra-account' });
  const iam = withConsoleHeader(iamClient(target, credentials));
  await setUpAccount(iam, { alias });
  return iam;
}

/** Enables a planned device with valid codes, as a user holding it would (FIDO: as the console does). */
async function enableDevice(iam: IAMClient, UserName: string, device: PlannedUser['devices'][number], tokens: ReadonlyMap<string, string>): Promise<void> {
  let codes = { AuthenticationCode1: '000000', AuthenticationCode2: '000000' };
  if (device.type === 'virtual') {
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: device.name }));
    if (!VirtualMFADevice?.Base32StringSeed) throw new Error(`CreateVirtualMFADevice ${device.name} returned no seed`);
    codes = consecutiveCodes(secretFromSeed(VirtualMFADevice.Base32StringSeed));
  } else if (device.type === 'hardware') {
    const secret = tokens.get(device.serial);
    if (!secret) throw new Error(`hardware token ${device.serial} is not in the inventory`);
    codes = consecutiveCodes(secret);
  }
  await iam.send(withCertifications(new EnableMFADeviceCommand({ UserName, SerialNumber: device.serial, ...codes }), device.certifications));
}

async function createUser(iam: IAMClient, user: PlannedUser, tokens: ReadonlyMap<string, string>): Promise<GroundTruthAccessKey | undefined> {
  const { userName: UserName } = user;
  await iam.send(
    new CreateUserCommand({ UserName, Path: user.path, Tags: Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  if (user.consoleAccess) await iam.send(new CreateLoginProfileCommand({ UserName, Password: CONSOLE_PASSWORD }));
  for (const GroupName of user.groups) await iam.send(new AddUserToGroupCommand({ UserName, GroupName }));
  for (const device of user.devices) await enableDevice(iam, UserName, device, tokens);
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

  let ses: SESv2Client | undefined;

  try {
    for (const account of ACCOUNTS) {
      const credentials = await assumeRole(target, BOOTSTRAP_CREDENTIALS, roleArn(account.id, 'OrganizationAccountAccessRole'), {
        sessionName: 'demo-seed',
      });
      // moto directly, so the console header (for FIDO keys) is allowed.
      clients.set(account.id, withConsoleHeader(iamClient(target, credentials)));
      // SES identities belong to an account and region: the portal sends from the hosting account.
      if (account.id === HOSTING_ACCOUNT) ses = new SESv2Client({ endpoint: target.endpoint, region: target.region, credentials });
    }
    // moto re-reads the inventory when it changes: it must list the hardware tokens before they are enabled.
    await mkdir(dirname(options.outFile), { recursive: true });
    await writeHardwareTokens(hardwareTokensFile(options.outFile), plan.hardwareTokens);
    await writeFile(rootUsersFile(options.outFile), `${JSON.stringify(Object.fromEntries(ACCOUNTS.map((a) => [a.id, a.root])), null, 2)}\n`);
    const tokens = new Map(plan.hardwareTokens.map((t) => [t.serial, t.secretBase32]));
    await Promise.all(ACCOUNTS.map((account) => setUpAccount(clientFor(account.id), account)));

    const keys = new Array<GroundTruthAccessKey | undefined>(plan.users.length);
    let done = 0;
    await runPool(plan.users, options.concurrency ?? 16, async (user, index) => {
      try {
        keys[index] = await createUser(clientFor(user.accountId), user, tokens);
      } catch (error) {
        throw new Error(`seeding ${user.accountId}/${user.userName} failed: ${(error as Error).message}`, { cause: error });
      }
      done += 1;
      options.onProgress?.({ done, total: plan.users.length });
    });

    // Creation and console sign-in dates as an organisation's history has them (moto would date everything now
    // and record no sign-in at all): relative to this moment, through the fidelity layer.
    const seededAt = Date.now();
    const ago = (days: number, hours: number) => new Date(seededAt - days * DAY_MS - hours * 3_600_000).toISOString();
    const activity = new Array<{ createdAt: string; passwordLastUsed: string | null }>(plan.users.length);
    await runPool(plan.users, options.concurrency ?? 16, async (user, index) => {
      const recorded = await setUserActivity(options.endpoint, {
        accountId: user.accountId,
        userName: user.userName,
        ...(user.createdDaysAgo > 0 ? { createDate: ago(user.createdDaysAgo, 2) } : {}),
        ...(user.consoleAccess && user.passwordLastUsedDaysAgo !== null
          ? { passwordLastUsed: user.passwordLastUsedDaysAgo > 0 || user.createdDaysAgo > 0 ? ago(user.passwordLastUsedDaysAgo, 1) : 'now' }
          : {}),
      });
      activity[index] = { createdAt: recorded.createDate, passwordLastUsed: recorded.passwordLastUsed };
    });

    const hosting = clientFor(HOSTING_ACCOUNT);
    await hosting.send(
      new PutUserPolicyCommand({ UserName: PORTAL_USER_NAME, PolicyName: 'AssumePortalRoles', PolicyDocument: JSON.stringify(portalUserPolicy(MEMBER_ROLE_NAME, DEPLOY_ROLE_NAME)) }),
    );
    await hosting.send(
      new PutUserPolicyCommand({
        UserName: LOCAL_CONSOLE_USER_NAME,
        PolicyName: 'AssumeLocalConsoleRole',
        PolicyDocument: JSON.stringify(localConsoleUserPolicy(LOCAL_CONSOLE_ROLE_NAME)),
      }),
    );
    await hosting.send(
      new PutUserPolicyCommand({ UserName: PORTAL_USER_NAME, PolicyName: 'SendReminders', PolicyDocument: JSON.stringify(portalSesPolicy()) }),
    );
    // AWS Organizations: the organisation, and the read role in its management account (the hosting account here).
    const organization = await createLocalOrganization(options.endpoint);
    await createRole(hosting, {
      name: ORGANIZATIONS_READ_ROLE_NAME,
      trust: memberRoleTrustPolicy(HOSTING_ACCOUNT, ORGANIZATIONS_READ_EXTERNAL_ID, PORTAL_USER_NAME),
      description: 'Lets the MFA portal list the accounts of the organisation',
      policyName: 'ReadOrganizations',
      policy: organizationsReadPolicy(),
    });
    await hosting.send(
      new PutUserPolicyCommand({ UserName: PORTAL_USER_NAME, PolicyName: 'AssumeOrganizationsRead', PolicyDocument: JSON.stringify(portalOrganizationsPolicy()) }),
    );
    await hosting.send(
      new PutUserPolicyCommand({ UserName: PORTAL_USER_NAME, PolicyName: 'ConsumeIamEvents', PolicyDocument: JSON.stringify(portalEventsPolicy()) }),
    );
    await ses?.send(new CreateEmailIdentityCommand({ EmailIdentity: DEMO_REMINDER_SENDER }));
    const { AccessKey: portalKey } = await hosting.send(new CreateAccessKeyCommand({ UserName: PORTAL_USER_NAME }));
    if (!portalKey?.AccessKeyId || !portalKey.SecretAccessKey) throw new Error('CreateAccessKey for the portal user returned no key');

    // Parsing drops the plan's own fields and checks that readers will accept the file.
    const truth: GroundTruth = groundTruthSchema.parse({
      generatedAt: new Date().toISOString(),
      endpoint: options.publishedEndpoint ?? options.endpoint,
      region: target.region,
      hostingAccountId: HOSTING_ACCOUNT,
      portal: { userName: PORTAL_USER_NAME, accessKeyId: portalKey.AccessKeyId, secretAccessKey: portalKey.SecretAccessKey },
      memberRole: { name: MEMBER_ROLE_NAME, externalId: MEMBER_ROLE_EXTERNAL_ID },
      deployRole: { name: DEPLOY_ROLE_NAME, externalId: DEPLOY_ROLE_EXTERNAL_ID },
      accounts: ACCOUNTS.map(({ id, name, alias, root }) => ({ id, name, alias, root })),
      people: demoPeople,
      users: plan.users.map((u, i) => ({ ...u, ...activity[i] })),
      accessKeys: keys.filter((k): k is GroundTruthAccessKey => k !== undefined),
      organization,
    });
    await writeFile(options.outFile, `${JSON.stringify(truth, null, 2)}\n`);
    return truth;
  } finally {
    for (const client of clients.values()) client.destroy();
    ses?.destroy();
  }
}
