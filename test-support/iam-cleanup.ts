import { randomBytes } from 'node:crypto';
import type { Actor } from '@/lib/auth/types';
import {
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';

const ignoreMissing = (error: unknown) => {
  if ((error as Error).name !== 'NoSuchEntityException' && (error as Error).name !== 'NoSuchEntity') throw error;
};

/** Deletes unassigned virtual devices a test made (already-deleted ones are fine). */
export async function deleteVirtualDevices(iam: IAMClient, serials: string[]): Promise<void> {
  for (const serial of serials) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })).catch(ignoreMissing);
}

/** Removes the users a test created, and the unfinished set-ups (unassigned devices under the portal's `…/<user>/` path) they left. */
export async function removeTestUsersAndSetups(iam: IAMClient, userNames: readonly string[]): Promise<void> {
  const unassigned = (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned', MaxItems: 1000 }))).VirtualMFADevices ?? [];
  await deleteVirtualDevices(iam, unassigned.map((d) => d.SerialNumber!).filter((s) => userNames.some((u) => s.includes(`/${u}/`))));
  for (const u of userNames) await removeTestUser(iam, u);
}

/**
 * Removes an IAM user a test created, with everything attached, so that tests asserting the seeded
 * organisation exactly still see only the seed.
 */
export async function removeTestUser(iam: IAMClient, userName: string): Promise<void> {
  const devices = (await iam.send(new ListMFADevicesCommand({ UserName: userName }))).MFADevices ?? [];
  for (const d of devices) {
    await iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: d.SerialNumber! }));
    if (d.SerialNumber!.includes(':mfa/')) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber! })).catch(ignoreMissing);
  }
  for (const k of (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [])
    await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: k.AccessKeyId! }));
  await iam.send(new DeleteLoginProfileCommand({ UserName: userName })).catch(ignoreMissing);
  await iam.send(new DeleteUserCommand({ UserName: userName }));
}

/**
 * A fresh IAM user (no password, no devices) and a member actor who owns it, for domain tests.
 * The name is pushed to `created` so the file's afterAll can remove it.
 */
export async function createTestActor(iam: IAMClient, accountId: string, prefix: string, created: string[]): Promise<Actor> {
  const userName = `${prefix}-${randomBytes(3).toString('hex')}`;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  created.push(userName);
  const principal = { accountId, userName, arn: `arn:aws:iam::${accountId}:user/${userName}` };
  return { id: principal.arn, email: null, name: userName, method: 'aws-keys', roles: ['member'], principals: [principal], authTime: 0 };
}
