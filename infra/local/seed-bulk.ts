import {
  AddUserToGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { newFidoSerial, withCertifications } from './console';
import { consecutiveCodes, secretFromSeed } from './totp';

/**
 * Benchmark populations, defined once here and created either through the IAM API (createUserViaApi, five or more
 * calls per user) or in one request per few thousand users through moto_fidelity.py's bulk endpoint (bulkCreateUsers),
 * which applies the same definition with the backend methods the IAM API uses.
 */

export type BulkDevice = { type: 'virtual'; name: string } | { type: 'fido'; serial: string; certifications?: Record<string, string> };
export type BulkUser = {
  userName: string;
  tags: Record<string, string>;
  groups: string[];
  consolePassword?: string;
  devices: BulkDevice[];
  /** Created and left unassigned, as a console enrolment abandoned halfway leaves them. */
  unassignedVirtualDevices: string[];
};

export const BULK_USERS_PATH = '/moto-api/fidelity/bulk-users';
/** Users per request: one request holds moto's state lock while it runs, so it stays short for other callers. */
const BULK_CHUNK = 2000;

/**
 * User i of a synthetic account: ~86% with a console password; half with a virtual device, 2% with a FIDO
 * key only (what our collection must ListMFADevices for), 1% with an unassigned console leftover; every tenth a
 * service name. Every eighth is in the operators group (the demo program's Operators); a third of those with a
 * virtual device also hold a FIDO key (some certified), so "virtual + another device" is common where it matters.
 * Deterministic, so the sizes build on each other.
 */
export function benchUser(i: number, accountId: string): BulkUser {
  const userName = i % 10 === 0 ? `svc-bench-${i}` : `bench.user-${i}`;
  const operator = i % 8 === 3;
  const devices: BulkDevice[] = [];
  const unassignedVirtualDevices: string[] = [];
  if (i % 10 >= 1 && i % 10 <= 5) {
    devices.push({ type: 'virtual', name: `${userName}-app` });
    if (operator && i % 3 === 0) devices.push({ type: 'fido', serial: newFidoSerial(accountId, userName, 'key'), certifications: i % 2 === 0 ? { FIDO: 'L1' } : {} });
  } else if (i % 50 === 7) devices.push({ type: 'fido', serial: newFidoSerial(accountId, userName, 'key') });
  else if (i % 100 === 9) unassignedVirtualDevices.push(userName);
  return {
    userName,
    tags: { email: `${userName}@example.com`, Team: `team-${i % 7}` },
    groups: operator ? ['operators'] : [],
    ...(i % 7 !== 0 ? { consolePassword: `Bench-${i}-Passw0rd!` } : {}),
    devices,
    unassignedVirtualDevices,
  };
}

/** The user through the IAM API as a person and the console would create it (`iam`: moto directly, console header on). */
export async function createUserViaApi(iam: IAMClient, user: BulkUser): Promise<void> {
  const { userName: UserName } = user;
  await iam.send(new CreateUserCommand({ UserName, Tags: Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value })) }));
  for (const GroupName of user.groups) await iam.send(new AddUserToGroupCommand({ GroupName, UserName }));
  if (user.consolePassword) await iam.send(new CreateLoginProfileCommand({ UserName, Password: user.consolePassword }));
  for (const device of user.devices) {
    if (device.type === 'virtual') {
      const created = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: device.name }));
      const d = created.VirtualMFADevice!;
      await iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber: d.SerialNumber!, ...consecutiveCodes(secretFromSeed(d.Base32StringSeed!)) }));
    } else {
      const enable = new EnableMFADeviceCommand({ UserName, SerialNumber: device.serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' });
      await iam.send(withCertifications(enable, device.certifications));
    }
  }
  for (const VirtualMFADeviceName of user.unassignedVirtualDevices) await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName }));
}

/** The users straight into moto's IAM backend of `accountId` (moto itself, not the proxy; its groups must exist). */
export async function bulkCreateUsers(motoUrl: string, accountId: string, users: readonly BulkUser[]): Promise<void> {
  for (let from = 0; from < users.length; from += BULK_CHUNK) {
    const res = await fetch(new URL(BULK_USERS_PATH, motoUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, users: users.slice(from, from + BULK_CHUNK) }),
    });
    if (!res.ok) throw new Error(`${BULK_USERS_PATH} for ${accountId}: HTTP ${res.status} ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? ''}`);
  }
}
