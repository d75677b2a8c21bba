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
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { stsClient, type AwsCredentials } from './aws-clients';
import { consoleIam } from './console';
import { readGroundTruth, readHardwareTokens, type GroundTruth } from './ground-truth';
import { localStack, memberRoleClients } from './integration-support';
import { DEV_ACCOUNT } from './organisation';
import { secretFromSeed, TOTP_STEP_MS } from './totp';

/**
 * The shared set-up of the fidelity tests (fidelity-*.integration.test.ts): moto_fidelity.py's IAM/STS behaviours,
 * proven through the AWS SDK on the portal's own path (portal key -> AssumeRole MfaPortalMember -> IAM, all through
 * the proxy). Tests that change IAM state create their own users and devices here, and the fixture removes them
 * afterwards: the seed test checks the seeded accounts against the ground truth.
 */

export const ACCOUNT = DEV_ACCOUNT;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tests that aim at the edge of a code window start early in a step, so the step cannot change under them. */
export async function earlyInStep(): Promise<void> {
  const into = Date.now() % TOTP_STEP_MS;
  if (into > TOTP_STEP_MS - 4000) await sleep(TOTP_STEP_MS - into + 200);
}

export const uniqueName = (label: string) => `fidelity-${label}-${randomBytes(4).toString('hex')}`;

type Codes = { AuthenticationCode1: string; AuthenticationCode2: string };

/** Registers the file's beforeAll/afterAll; the clients are there once beforeAll has run. */
export function fidelityFixture() {
  const { stack, region, viaProxy, portalKey } = localStack();
  const createdUsers: string[] = [];
  const createdVirtualDevices: string[] = [];

  const fx = {
    stack,
    region,
    viaProxy,
    portalKey,
    truth: undefined as unknown as GroundTruth,
    /** The portal's client for ACCOUNT: through the proxy, as the member role. */
    portal: undefined as unknown as IAMClient,
    /** The portal's clients per account, likewise. */
    portalByAccount: new Map<string, IAMClient>(),
    /** Set-up and clean-up: the local console role in ACCOUNT, talking to moto directly. */
    admin: undefined as unknown as IAMClient,
    /** Clients a test made: destroyed after the file. */
    clients: [] as Array<{ destroy(): void }>,

    async newUser(label: string): Promise<string> {
      const UserName = uniqueName(label);
      await fx.admin.send(new CreateUserCommand({ UserName }));
      createdUsers.push(UserName);
      return UserName;
    },

    async newUserWithKey(label: string): Promise<{ userName: string; key: AwsCredentials; sts: STSClient }> {
      const userName = await fx.newUser(label);
      const { AccessKey } = await fx.admin.send(new CreateAccessKeyCommand({ UserName: userName }));
      const key = { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
      const sts = stsClient(viaProxy, key);
      fx.clients.push(sts);
      return { userName, key, sts };
    },

    /** A virtual device created as the portal does it; returns its serial and the secret the user's app would hold. */
    async newVirtualDevice(label: string): Promise<{ serial: string; secret: string }> {
      const { VirtualMFADevice } = await fx.portal.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName(label) }));
      const serial = VirtualMFADevice?.SerialNumber ?? '';
      createdVirtualDevices.push(serial);
      return { serial, secret: secretFromSeed(VirtualMFADevice?.Base32StringSeed ?? '') };
    },

    serialsOf: async (UserName: string) =>
      ((await fx.portal.send(new ListMFADevicesCommand({ UserName }))).MFADevices ?? []).map((d) => d.SerialNumber),

    enable: (UserName: string, SerialNumber: string, codes: Codes) =>
      fx.portal.send(new EnableMFADeviceCommand({ UserName, SerialNumber, ...codes })),

    async spareHardwareTokens() {
      const used = new Set(fx.truth.users.flatMap((u) => u.devices.map((d) => d.serial)));
      return (await readHardwareTokens(stack.hardwareTokensFile)).filter((t) => !t.userName && !used.has(t.serial));
    },
  };

  beforeAll(async () => {
    fx.truth = await readGroundTruth(stack.groundTruthFile);
    for (const [id, client] of await memberRoleClients(viaProxy, portalKey, fx.truth, 'fidelity-test')) {
      fx.portalByAccount.set(id, client);
      fx.clients.push(client);
    }
    fx.portal = fx.portalByAccount.get(ACCOUNT) as IAMClient;
    fx.admin = await consoleIam({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, groundTruth: fx.truth });
    fx.clients.push(fx.admin);
  });

  afterAll(async () => {
    // Leave the seeded accounts as the ground truth describes them.
    const { admin } = fx;
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
    for (const client of fx.clients) client.destroy();
  });

  return fx;
}
