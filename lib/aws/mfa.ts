import 'server-only';
import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ResyncMFADeviceCommand,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { iamForAccount, stsClientFor, type AwsCredentials } from './clients';
import { AwsError, awsCall } from './errors';

/** The secret of a new virtual device. It must not be stored, logged or cached: hand it to the person once. */
export type NewVirtualDevice = { serial: string; seedBase32: string };

export async function createVirtualMfaDevice(accountId: string, name: string, path: string): Promise<NewVirtualDevice> {
  const out = await awsCall('iam:CreateVirtualMFADevice', () =>
    iamForAccount(accountId).send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, Path: path })),
  );
  const d = out.VirtualMFADevice;
  // The SDK gives the seed as the bytes of its base32 text.
  const seed = d?.Base32StringSeed ? Buffer.from(d.Base32StringSeed).toString('ascii') : '';
  if (!d?.SerialNumber || !/^[A-Z2-7]+=*$/.test(seed)) throw new AwsError('ServiceFailure', 'iam:CreateVirtualMFADevice', 'MissingSeed');
  return { serial: d.SerialNumber, seedBase32: seed.replace(/=+$/, '') };
}

export async function enableMfaDevice(accountId: string, userName: string, serial: string, code1: string, code2: string): Promise<void> {
  await awsCall('iam:EnableMFADevice', () =>
    iamForAccount(accountId).send(
      new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 }),
    ),
  );
}

export async function resyncMfaDevice(accountId: string, userName: string, serial: string, code1: string, code2: string): Promise<void> {
  await awsCall('iam:ResyncMFADevice', () =>
    iamForAccount(accountId).send(
      new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: code1, AuthenticationCode2: code2 }),
    ),
  );
}

export async function deactivateMfaDevice(accountId: string, userName: string, serial: string): Promise<void> {
  await awsCall('iam:DeactivateMFADevice', () =>
    iamForAccount(accountId).send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serial })),
  );
}

export async function deleteVirtualMfaDevice(accountId: string, serial: string): Promise<void> {
  await awsCall('iam:DeleteVirtualMFADevice', () =>
    iamForAccount(accountId).send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
  );
}

/** Serials of the account's virtual devices that no user has enabled. Never reads seeds. */
export async function listUnassignedVirtualDevices(accountId: string): Promise<string[]> {
  return awsCall('iam:ListVirtualMFADevices', async () => {
    const serials: string[] = [];
    const pages = paginateListVirtualMFADevices({ client: iamForAccount(accountId) }, { AssignmentStatus: 'Unassigned' });
    for await (const page of pages) for (const d of page.VirtualMFADevices ?? []) if (d.SerialNumber) serials.push(d.SerialNumber);
    return serials;
  });
}

/**
 * Proves a device works for the CLI: a session token requested with the person's own keys and a code.
 * The keys are used for this one call; the returned credentials are discarded unread.
 */
export async function getSessionTokenWithMfa(credentials: AwsCredentials, serial: string, code: string): Promise<void> {
  await awsCall('sts:GetSessionToken', () =>
    stsClientFor(credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code, DurationSeconds: 900 })),
  );
}
