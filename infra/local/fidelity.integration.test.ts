import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetAccountAuthorizationDetailsCommand,
  ListAccessKeysCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListMFADevices,
  paginateListUsers,
  paginateListVirtualMFADevices,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, type STSClient } from '@aws-sdk/client-sts';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assumeRole, iamClient, roleArn, stsClient, type AwsCredentials, type AwsTarget } from './aws-clients';
import { consoleIam, newFidoSerial, registerFidoKey, withConsoleHeader } from './console';
import { readGroundTruth, readHardwareTokens, type GroundTruth } from './ground-truth';
import { toBase32 } from './org-plan';
import { DEV_ACCOUNT } from './organisation';
import { defaultRepoRoot, venvBin } from './python';
import { consecutiveCodes, secretFromSeed, TOTP_STEP_MS, totpAtStep, totpCode, totpStep } from './totp';

/**
 * The AWS-fidelity layer, proven through the AWS SDK: moto_fidelity.py's IAM/STS behaviours on the portal's own
 * path (portal key -> AssumeRole MfaPortalMember -> IAM, all through the proxy) and the proxy's faults.
 * Tests that change IAM state create their own users and devices and remove them afterwards: the seed test
 * checks the seeded accounts against the ground truth.
 */

const stack = inject('stack');
const region = stack.env.AWS_REGION ?? 'us-east-1';
const viaProxy: AwsTarget = { endpoint: stack.awsEndpoint, region };
const portalKey: AwsCredentials = { accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '' };
const ACCOUNT = DEV_ACCOUNT;

let truth: GroundTruth;
/** The portal's client for ACCOUNT: through the proxy, as the member role. */
let portal: IAMClient;
/** Set-up and clean-up: the local console role in ACCOUNT, talking to moto directly. */
let admin: IAMClient;
const portalByAccount = new Map<string, IAMClient>();
const createdUsers: string[] = [];
const createdVirtualDevices: string[] = [];
const clients: Array<{ destroy(): void }> = [];

type Failure = { name: string; status?: number; message: string; attempts?: number };
async function failure(promise: Promise<unknown>): Promise<Failure | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, attempts: e.$metadata?.attempts };
  }
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tests that aim at the edge of a code window start early in a step, so the step cannot change under them. */
async function earlyInStep(): Promise<void> {
  const into = Date.now() % TOTP_STEP_MS;
  if (into > TOTP_STEP_MS - 4000) await sleep(TOTP_STEP_MS - into + 200);
}

const uniqueName = (label: string) => `fidelity-${label}-${randomBytes(4).toString('hex')}`;

async function newUser(label: string): Promise<string> {
  const UserName = uniqueName(label);
  await admin.send(new CreateUserCommand({ UserName }));
  createdUsers.push(UserName);
  return UserName;
}

async function newUserWithKey(label: string): Promise<{ userName: string; key: AwsCredentials; sts: STSClient }> {
  const userName = await newUser(label);
  const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: userName }));
  const key = { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
  const sts = stsClient(viaProxy, key);
  clients.push(sts);
  return { userName, key, sts };
}

/** A virtual device created as the portal does it; returns its serial and the secret the user's app would hold. */
async function newVirtualDevice(label: string): Promise<{ serial: string; secret: string }> {
  const { VirtualMFADevice } = await portal.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName(label) }));
  const serial = VirtualMFADevice?.SerialNumber ?? '';
  createdVirtualDevices.push(serial);
  return { serial, secret: secretFromSeed(VirtualMFADevice?.Base32StringSeed ?? '') };
}

const serialsOf = async (UserName: string) =>
  ((await portal.send(new ListMFADevicesCommand({ UserName }))).MFADevices ?? []).map((d) => d.SerialNumber);

const enable = (UserName: string, SerialNumber: string, codes: { AuthenticationCode1: string; AuthenticationCode2: string }) =>
  portal.send(new EnableMFADeviceCommand({ UserName, SerialNumber, ...codes }));

async function spareHardwareTokens() {
  const used = new Set(truth.users.flatMap((u) => u.devices.map((d) => d.serial)));
  return (await readHardwareTokens(stack.hardwareTokensFile)).filter((t) => !t.userName && !used.has(t.serial));
}

beforeAll(async () => {
  truth = await readGroundTruth(stack.groundTruthFile);
  for (const account of truth.accounts) {
    const credentials = await assumeRole(viaProxy, portalKey, roleArn(account.id, truth.memberRole.name), {
      sessionName: 'fidelity-test',
      externalId: truth.memberRole.externalId,
    });
    const client = iamClient(viaProxy, credentials);
    clients.push(client);
    portalByAccount.set(account.id, client);
  }
  portal = portalByAccount.get(ACCOUNT) as IAMClient;
  admin = await consoleIam({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, groundTruth: truth });
  clients.push(admin);
});

afterAll(async () => {
  // Leave the seeded accounts as the ground truth describes them.
  for (const UserName of createdUsers) {
    for (const device of (await admin.send(new ListMFADevicesCommand({ UserName }))).MFADevices ?? []) {
      await admin.send(new DeactivateMFADeviceCommand({ UserName, SerialNumber: device.SerialNumber }));
    }
    for (const key of (await admin.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []) {
      await admin.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId }));
    }
    for (const PolicyName of (await admin.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? []) {
      await admin.send(new DeleteUserPolicyCommand({ UserName, PolicyName }));
    }
    await admin.send(new DeleteUserCommand({ UserName }));
  }
  for (const SerialNumber of createdVirtualDevices) {
    await admin.send(new DeleteVirtualMFADeviceCommand({ SerialNumber })).catch((e: Error) => {
      if (e.name !== 'NoSuchEntityException') throw e;
    });
  }
  for (const client of clients) client.destroy();
});

describe('TOTP', () => {
  it('computes the same codes in TypeScript and in moto_fidelity.py', async () => {
    const secret = toBase32(randomBytes(20));
    const now = totpStep();
    const steps = [0, 1, now - 20, now - 1, now, now + 1, now + 20, 2 ** 32 + 7];
    const run = promisify(execFile);
    const { stdout } = await run(venvBin(defaultRepoRoot, 'python'), [
      join(defaultRepoRoot, 'infra', 'local', 'moto_fidelity.py'),
      '--totp',
      secret,
      ...steps.map(String),
    ]);
    expect(JSON.parse(stdout)).toEqual(steps.map((step) => totpAtStep(secret, step)));
  });
});

describe('EnableMFADevice', () => {
  it('refuses wrong codes with InvalidAuthenticationCode (403), and the device stays unassigned', async () => {
    const user = await newUser('wrong');
    const { serial, secret } = await newVirtualDevice('wrong');
    const valid = consecutiveCodes(secret);
    const wrong = valid.AuthenticationCode2 === '123456' ? '654321' : '123456';
    expect(await failure(enable(user, serial, { AuthenticationCode1: wrong, AuthenticationCode2: wrong }))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
      status: 403,
      message: 'Authentication code for device is not valid.',
    });
    expect(await failure(enable(user, serial, { ...valid, AuthenticationCode2: wrong }))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    expect(await serialsOf(user)).toEqual([]);
  });

  it('refuses codes that are not consecutive, or in the wrong order', async () => {
    await earlyInStep();
    const user = await newUser('gap');
    const { serial, secret } = await newVirtualDevice('gap');
    const gap = { AuthenticationCode1: totpCode(secret, Date.now(), -2), AuthenticationCode2: totpCode(secret) };
    expect(await failure(enable(user, serial, gap))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    const valid = consecutiveCodes(secret);
    const reversed = { AuthenticationCode1: valid.AuthenticationCode2, AuthenticationCode2: valid.AuthenticationCode1 };
    expect(await failure(enable(user, serial, reversed))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    const same = { AuthenticationCode1: valid.AuthenticationCode2, AuthenticationCode2: valid.AuthenticationCode2 };
    expect(await failure(enable(user, serial, same))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
  });

  it('refuses codes that are not six digits with ValidationError', async () => {
    const user = await newUser('format');
    const { serial } = await newVirtualDevice('format');
    expect(await failure(enable(user, serial, { AuthenticationCode1: '12345', AuthenticationCode2: 'abcdef' }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('enables a virtual device with two consecutive valid codes; it is listed, assigned, and its seed is not', async () => {
    const user = await newUser('ok');
    const { serial, secret } = await newVirtualDevice('ok');
    await enable(user, serial, consecutiveCodes(secret));
    const listed = (await portal.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [];
    expect(listed).toEqual([expect.objectContaining({ UserName: user, SerialNumber: serial, EnableDate: expect.any(Date) })]);
    const assigned = (await collect(paginateListVirtualMFADevices({ client: portal }, { AssignmentStatus: 'Assigned' }))).flatMap((p) => p.VirtualMFADevices ?? []);
    const mine = assigned.find((d) => d.SerialNumber === serial);
    expect(mine?.User?.UserName).toBe(user);
    expect(mine?.Base32StringSeed).toBeUndefined();
    expect(mine?.QRCodePNG).toBeUndefined();
  });

  it('accepts codes two steps old, refuses codes ten steps old', async () => {
    await earlyInStep();
    const late = await newUser('late');
    const device = await newVirtualDevice('late');
    // Code 2 from two steps ago, code 1 from the step before: the oldest pair AWS-like checking accepts.
    await enable(late, device.serial, consecutiveCodes(device.secret, Date.now(), -2));
    expect(await serialsOf(late)).toEqual([device.serial]);

    const stale = await newUser('stale');
    const old = await newVirtualDevice('stale');
    expect(await failure(enable(stale, old.serial, consecutiveCodes(old.secret, Date.now(), -10)))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    expect(await serialsOf(stale)).toEqual([]);
  });

  it('enables a hardware token from the local inventory, refuses it for a second user and an unknown serial', async () => {
    const [token] = await spareHardwareTokens();
    if (!token) throw new Error('the inventory has no spare hardware token');
    const user = await newUser('hw');
    expect(await failure(enable(user, token.serial, { AuthenticationCode1: '000000', AuthenticationCode2: '000000' }))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    await enable(user, token.serial, consecutiveCodes(token.secretBase32));
    expect(await serialsOf(user)).toEqual([token.serial]);

    const other = await newUser('hw-other');
    expect(await failure(enable(other, token.serial, consecutiveCodes(token.secretBase32)))).toMatchObject({
      name: 'EntityAlreadyExistsException',
      status: 409,
    });
    expect(await failure(enable(other, 'GAHT99999999X', consecutiveCodes(token.secretBase32)))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    // Given back to the stock, the token can serve someone else.
    await portal.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: token.serial }));
    await enable(other, token.serial, consecutiveCodes(token.secretBase32));
    expect(await serialsOf(other)).toEqual([token.serial]);
  });

  it('refuses a virtual serial that does not exist with NoSuchEntity', async () => {
    const user = await newUser('ghost');
    expect(await failure(enable(user, `arn:aws:iam::${ACCOUNT}:mfa/${uniqueName('ghost')}`, { AuthenticationCode1: '123456', AuthenticationCode2: '234567' }))).toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('refuses a virtual device already assigned to another user with EntityAlreadyExists', async () => {
    const first = await newUser('owner');
    const second = await newUser('thief');
    const { serial, secret } = await newVirtualDevice('shared');
    await enable(first, serial, consecutiveCodes(secret));
    expect(await failure(enable(second, serial, consecutiveCodes(secret)))).toMatchObject({
      name: 'EntityAlreadyExistsException',
      status: 409,
    });
    expect(await failure(enable(first, serial, consecutiveCodes(secret)))).toMatchObject({ name: 'EntityAlreadyExistsException' });
    expect(await serialsOf(second)).toEqual([]);
  });

  it('allows 8 devices per user and refuses the 9th with LimitExceeded', async () => {
    const user = await newUser('many');
    for (let i = 0; i < 8; i++) {
      const { serial, secret } = await newVirtualDevice(`many${i}`);
      await enable(user, serial, consecutiveCodes(secret));
    }
    const ninth = await newVirtualDevice('many8');
    const result = await failure(enable(user, ninth.serial, consecutiveCodes(ninth.secret)));
    // The SDK treats LimitExceededException as throttling and retries it before giving up, as against AWS.
    expect(result).toMatchObject({ name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for MfaDevicesPerUser: 8' });
    expect(await serialsOf(user)).toHaveLength(8);
  });

  it('refuses FIDO keys through the API (InvalidInput), the proxy refuses the console header, the console registers them', async () => {
    const user = await newUser('fido');
    const serial = newFidoSerial(ACCOUNT, user, 'YubiKey');
    expect(await failure(enable(user, serial, { AuthenticationCode1: '000000', AuthenticationCode2: '000000' }))).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
      message: 'FIDO security keys can only be registered in the AWS console',
    });
    const sneaky = withConsoleHeader(iamClient(viaProxy, await assumeRole(viaProxy, portalKey, roleArn(ACCOUNT, truth.memberRole.name), { sessionName: 's', externalId: truth.memberRole.externalId })));
    clients.push(sneaky);
    expect(await failure(sneaky.send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await serialsOf(user)).toEqual([]);

    const registered = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'YubiKey', groundTruth: truth });
    expect(registered).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:u2f/user/${user}/YubiKey-[A-Z2-7]{26}$`));
    expect(await serialsOf(user)).toEqual([registered]);
    expect(await failure(portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: registered, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })))).toMatchObject({
      name: 'InvalidInputException',
    });
  });
});

describe('GetMFADevice', () => {
  it('reports the certifications the console registered for a FIDO key, {} for none, and accepts only FIDO serials', async () => {
    const user = await newUser('getmfa');
    const certified = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'YubiKey', groundTruth: truth, certifications: { FIDO: 'L2', 'FIPS-140-3': 'L2' } });
    const passkey = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'Passkey', groundTruth: truth });
    const got = await portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: certified }));
    expect(got).toMatchObject({ UserName: user, SerialNumber: certified, Certifications: { FIDO: 'L2', 'FIPS-140-3': 'L2' } });
    expect(got.EnableDate).toBeInstanceOf(Date);
    expect((await portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: passkey }))).Certifications ?? {}).toEqual({});

    const { serial } = await newVirtualDevice('getmfa');
    expect(await failure(portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: serial })))).toMatchObject({ name: 'InvalidInputException', status: 400 });
    const other = await newUser('getmfa-other');
    expect(await failure(portal.send(new GetMFADeviceCommand({ UserName: other, SerialNumber: certified })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  it('the seed registered the demo FIDO keys with the certifications the ground truth names', async () => {
    const seeded = truth.users.filter((u) => u.accountId === ACCOUNT).flatMap((u) => u.devices.filter((d) => d.type === 'fido').map((d) => ({ u, d })));
    expect(seeded.length).toBeGreaterThan(0);
    expect(seeded.some(({ d }) => Object.keys(d.certifications ?? {}).length === 0)).toBe(true);
    expect(seeded.some(({ d }) => Object.keys(d.certifications ?? {}).length > 0)).toBe(true);
    for (const { u, d } of seeded) {
      const got = await portal.send(new GetMFADeviceCommand({ UserName: u.userName, SerialNumber: d.serial }));
      expect(got.Certifications ?? {}).toEqual(d.certifications ?? {});
    }
  });
});

describe('DeleteVirtualMFADevice', () => {
  it('refuses an assigned device with DeleteConflict and keeps it; after deactivation it deletes cleanly', async () => {
    const user = await newUser('del');
    const { serial, secret } = await newVirtualDevice('del');
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(portal.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    expect(await serialsOf(user)).toEqual([serial]);
    const any = async () =>
      (await collect(paginateListVirtualMFADevices({ client: portal }, { AssignmentStatus: 'Any' }))).flatMap((p) => p.VirtualMFADevices ?? []);
    expect((await any()).find((d) => d.SerialNumber === serial)?.User?.UserName).toBe(user);

    await portal.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: serial }));
    await portal.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    expect(await serialsOf(user)).toEqual([]);
    expect((await any()).some((d) => d.SerialNumber === serial)).toBe(false);
    // The name is free again.
    const again = await portal.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: serial.slice(serial.lastIndexOf('/') + 1) }));
    expect(again.VirtualMFADevice?.SerialNumber).toBe(serial);
  });
});

describe('ResyncMFADevice and GetSessionToken', () => {
  it('resyncs a drifted device; GetSessionToken then checks codes at the new offset, refuses replays, wrong codes and foreign serials', async () => {
    await earlyInStep();
    const { userName, sts } = await newUserWithKey('drift');
    const { serial, secret } = await newVirtualDevice('drift');
    await enable(userName, serial, consecutiveCodes(secret));

    // No MFA: needs no IAM permission (this user has none), as in AWS.
    expect((await sts.send(new GetSessionTokenCommand({}))).Credentials?.AccessKeyId).toBeTruthy();

    // The device's clock runs 6 steps (3 minutes) fast.
    const DRIFT = 6;
    expect(await failure(portal.send(new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: '111111', AuthenticationCode2: '222222' })))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
      status: 403,
    });
    await portal.send(new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), DRIFT) }));

    const code = totpCode(secret, Date.now(), DRIFT);
    const out = await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
    expect(out.Credentials?.SessionToken).toBeTruthy();

    const denied = { name: 'AccessDenied', status: 403 };
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code })))).toMatchObject({
      ...denied,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    const wrong = totpCode(secret, Date.now(), DRIFT + 1) === '000000' ? '000001' : '000000';
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: wrong })))).toMatchObject(denied);
    // The code of the moment, without the drift, is now out of the device's window.
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totpCode(secret) })))).toMatchObject(denied);
    // The next code of the drifted device still works.
    await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totpCode(secret, Date.now(), DRIFT + 1) }));

    const other = await newUser('drift-other');
    const foreign = await newVirtualDevice('drift-other');
    await enable(other, foreign.serial, consecutiveCodes(foreign.secret));
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: foreign.serial, TokenCode: totpCode(foreign.secret) })))).toMatchObject({
      ...denied,
      message: 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.',
    });
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial })))).toMatchObject(denied);
    expect(await failure(sts.send(new GetSessionTokenCommand({ TokenCode: totpCode(secret, Date.now(), DRIFT) })))).toMatchObject(denied);
  });

  it('refuses ResyncMFADevice for a device the user does not have with NoSuchEntity, and codes outside ±10 minutes', async () => {
    await earlyInStep();
    const user = await newUser('resync');
    const { serial, secret } = await newVirtualDevice('resync');
    expect(await failure(portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret) })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(await failure(portal.send(new ResyncMFADeviceCommand({ UserName: 'no-such-user-fidelity', SerialNumber: serial, ...consecutiveCodes(secret) })))).toMatchObject({
      name: 'NoSuchEntityException',
    });
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), 25) })))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    await portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), -15) }));
  });

  it('refuses GetSessionToken with session credentials', async () => {
    const sts = stsClient(viaProxy, await assumeRole(viaProxy, portalKey, roleArn(ACCOUNT, truth.memberRole.name), { sessionName: 'gst', externalId: truth.memberRole.externalId }));
    clients.push(sts);
    expect(await failure(sts.send(new GetSessionTokenCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });
});

describe('paging', () => {
  it('pages ListUsers with MaxItems and Marker: every user exactly once', async () => {
    for (const account of truth.accounts) {
      const client = portalByAccount.get(account.id) as IAMClient;
      const all = await client.send(new ListUsersCommand({ MaxItems: 1000 }));
      expect(all.IsTruncated).toBe(false);
      const names = (all.Users ?? []).map((u) => u.UserName);
      expect(names).toEqual(expect.arrayContaining(truth.users.filter((u) => u.accountId === account.id).map((u) => u.userName)));

      const pages = await collect(paginateListUsers({ client, pageSize: 7 }, {}));
      expect(pages.length).toBe(Math.ceil(names.length / 7));
      expect(pages.slice(0, -1).every((p) => p.Users?.length === 7 && p.IsTruncated === true && p.Marker)).toBe(true);
      expect(pages.at(-1)?.IsTruncated).toBe(false);
      expect(pages.flatMap((p) => p.Users ?? []).map((u) => u.UserName)).toEqual(names);

      // Without MaxItems, AWS's default page of 100.
      const first = await client.send(new ListUsersCommand({}));
      expect(first.Users?.length).toBe(Math.min(100, names.length));
    }
  });

  it('pages GetAccountAuthorizationDetails across users, groups, roles and policies', async () => {
    const client = portalByAccount.get(ACCOUNT) as IAMClient;
    const everything = await client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(everything.IsTruncated).toBe(false);
    const keyOf = (page: typeof everything) => [
      ...(page.UserDetailList ?? []).map((u) => `user ${u.UserName}`),
      ...(page.GroupDetailList ?? []).map((g) => `group ${g.GroupName}`),
      ...(page.RoleDetailList ?? []).map((r) => `role ${r.RoleName}`),
      ...(page.Policies ?? []).map((p) => `policy ${p.Arn}`),
    ];
    const all = keyOf(everything);
    expect(all).toEqual(expect.arrayContaining(['group developers', 'role MfaPortalMember', 'user alice.dev']));

    const pages = await collect(paginateGetAccountAuthorizationDetails({ client, pageSize: 7 }, {}));
    expect(pages.length).toBe(Math.ceil(all.length / 7));
    expect(pages.flatMap(keyOf)).toEqual(all);

    const users = await collect(paginateGetAccountAuthorizationDetails({ client, pageSize: 7 }, { Filter: ['User'] }));
    const userNames = users.flatMap((p) => p.UserDetailList ?? []).map((u) => u.UserName);
    expect(userNames).toEqual(all.filter((k) => k.startsWith('user ')).map((k) => k.slice(5)));
    expect(new Set(userNames).size).toBe(userNames.length);
    expect(users.every((p) => (p.GroupDetailList ?? []).length === 0 && (p.RoleDetailList ?? []).length === 0)).toBe(true);
  });

  it('pages ListMFADevices one device at a time for a user with several', async () => {
    const several = truth.users.find((u) => u.devices.length >= 2);
    if (!several) throw new Error('the seed has no user with several devices');
    const client = portalByAccount.get(several.accountId) as IAMClient;
    const pages = await collect(paginateListMFADevices({ client, pageSize: 1 }, { UserName: several.userName }));
    expect(pages).toHaveLength(several.devices.length);
    expect(pages.map((p) => p.MFADevices?.length)).toEqual(several.devices.map(() => 1));
    expect(pages.flatMap((p) => p.MFADevices ?? []).map((d) => d.SerialNumber)).toEqual(several.devices.map((d) => d.serial));
  });

  it('refuses a bad Marker and a MaxItems out of range with ValidationError', async () => {
    expect(await failure(portal.send(new ListUsersCommand({ Marker: 'not-a-marker' })))).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await failure(portal.send(new ListUsersCommand({ MaxItems: 0 })))).toMatchObject({ name: 'ValidationError' });
    expect(await failure(portal.send(new ListUsersCommand({ MaxItems: 1001 })))).toMatchObject({ name: 'ValidationError' });
  });

  it('keeps ListVirtualMFADevices paging, by assignment status, with no empty last page', async () => {
    const list = async (AssignmentStatus: 'Any' | 'Assigned' | 'Unassigned', pageSize: number) =>
      await collect(paginateListVirtualMFADevices({ client: portal, pageSize }, { AssignmentStatus }));
    const all = (await list('Any', 1000)).flatMap((p) => p.VirtualMFADevices ?? []).map((d) => d.SerialNumber);
    const pages = await list('Any', 3);
    expect(pages.flatMap((p) => p.VirtualMFADevices ?? []).map((d) => d.SerialNumber)).toEqual(all);
    expect(pages.every((p) => (p.VirtualMFADevices ?? []).length > 0)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    const assigned = (await list('Assigned', 4)).flatMap((p) => p.VirtualMFADevices ?? []);
    const unassigned = (await list('Unassigned', 4)).flatMap((p) => p.VirtualMFADevices ?? []);
    expect(assigned.every((d) => d.User?.UserName && d.EnableDate)).toBe(true);
    expect(unassigned.every((d) => d.User === undefined && d.EnableDate === undefined)).toBe(true);
    expect([...assigned, ...unassigned].map((d) => d.SerialNumber).sort()).toEqual([...all].sort());
  });
});

describe('ListMFADevices and DeactivateMFADevice without UserName', () => {
  it('fall back to the calling IAM user, and want a user name from role sessions', async () => {
    const { userName, key } = await newUserWithKey('self');
    const self = iamClient(viaProxy, key);
    clients.push(self);
    // The user may list and deactivate its own devices (moto evaluates no conditions: a plain allow).
    await admin.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'self',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListMFADevices', 'iam:DeactivateMFADevice'], Resource: '*' }] }),
      }),
    );
    const { serial, secret } = await newVirtualDevice('self');
    await enable(userName, serial, consecutiveCodes(secret));
    const listed = await self.send(new ListMFADevicesCommand({}));
    expect(listed.MFADevices?.map((d) => [d.UserName, d.SerialNumber])).toEqual([[userName, serial]]);
    await self.send(new DeactivateMFADeviceCommand({ SerialNumber: serial }));
    expect(await serialsOf(userName)).toEqual([]);

    expect(await failure(portal.send(new ListMFADevicesCommand({})))).toMatchObject({
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
    });
  });
});

describe('DeleteUser', () => {
  it('refuses a user who still has MFA devices with DeleteConflict', async () => {
    const user = await newUser('keep');
    const { serial, secret } = await newVirtualDevice('keep');
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(admin.send(new DeleteUserCommand({ UserName: user })))).toMatchObject({ name: 'DeleteConflictException', status: 409 });
  });
});
