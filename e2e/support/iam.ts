import { randomBytes } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { consoleIam, registerFidoKey } from '../../infra/local/console';
import { recordSecret } from './seen-secrets';

export const TEST_ACCOUNT = '222222222222';

const target = (accountId = TEST_ACCOUNT) => ({
  motoUrl: env('E2E_MOTO_URL'),
  accountId,
  groundTruth: env('E2E_GROUND_TRUTH'),
});

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the specs through playwright.config.ts (global setup).`);
  return v;
}

export type TestUser = { accountId: string; userName: string; accessKeyId: string; secretAccessKey: string };

/**
 * An IAM user of the test's own (never a seeded one, whose state other specs assert), with a console
 * password and an access key to sign in to the portal with.
 */
export async function createTestUser(prefix: string, options: { consolePassword?: boolean } = {}): Promise<TestUser> {
  const iam = await consoleIam(target());
  try {
    const userName = `e2e-${prefix}-${randomBytes(4).readUInt32BE(0)}`.slice(0, 64);
    await iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'Environment', Value: 'test' }] }));
    if (options.consolePassword ?? true) {
      const password = `Pw-${randomBytes(12).toString('hex')}!`;
      recordSecret('password', password);
      await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: password }));
    }
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    recordSecret('secret-access-key', key.SecretAccessKey);
    return { accountId: TEST_ACCOUNT, userName, accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

export async function addFidoKey(user: TestUser, name: string): Promise<string> {
  return registerFidoKey({ ...target(user.accountId), userName: user.userName, name });
}

export async function listDevices(user: TestUser): Promise<string[]> {
  const iam = await consoleIam(target(user.accountId));
  try {
    return ((await iam.send(new ListMFADevicesCommand({ UserName: user.userName }))).MFADevices ?? []).map((d) => d.SerialNumber!);
  } finally {
    iam.destroy();
  }
}

/** Unassigned virtual devices whose serial mentions the user (the portal's leftovers live under /mfa-portal/<user>/). */
export async function unassignedDevicesOf(user: TestUser): Promise<string[]> {
  const iam = await consoleIam(target(user.accountId));
  try {
    const out: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned', Marker: marker }));
      for (const d of page.VirtualMFADevices ?? []) if (d.SerialNumber?.includes(`/${user.userName}/`)) out.push(d.SerialNumber);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return out;
  } finally {
    iam.destroy();
  }
}
