import {
  AddUserToGroupCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetAccountAuthorizationDetailsCommand,
  ListVirtualMFADevicesCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListVirtualMFADevices,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { setMotoAuth } from '@/infra/local/moto';
import { setUpExtraAccount } from '@/infra/local/seed';
import { consecutiveCodes, secretFromSeed } from '@/infra/local/totp';
import { setTestEnv } from '@/test-support/env';
import { useLocalStack } from '@/test-support/stack';
import { resetAwsClients } from './clients';
import { toIamUser, type IamUser } from './iam';
import { accountUserPages, countCalls, countedIam, listVirtualDevices, toVirtualDeviceEntry, type CallCounts, type VirtualDeviceEntry } from './inventory-sources';
import { readUserDetail, readVirtualDevice, takeListMembers } from './lean-listings';

/**
 * The two listings read from the raw response (lean-listings.ts) against the SDK's own parse of the same listing
 * from the local stack (moto behind the fidelity proxy), over a population that varies every field read.
 */
const ACCOUNT = '390000000013';
const PAGE = 3;

type Planned = { userName: string; path?: string; tags: Record<string, string>; groups: string[]; devices: number; unassigned: number };
const PEOPLE: Planned[] = [
  { userName: 'ana.lopez', path: '/engineering/', tags: { email: 'ana&co <ana@example.com>', quote: `"double" and 'single'` }, groups: ['developers', 'operators'], devices: 1, unassigned: 0 },
  { userName: 'zoe.muller', path: '/a/b/c/', tags: { Équipe: 'Zoë 東京 🔑', empty: '' }, groups: ['readonly'], devices: 2, unassigned: 1 },
  { userName: 'svc-build', tags: {}, groups: [], devices: 0, unassigned: 0 },
  { userName: 'no.tags', path: '/odd&<>"\'path/', tags: {}, groups: ['operators'], devices: 0, unassigned: 1 },
  ...Array.from({ length: 9 }, (_, i): Planned => ({
    userName: `user+${i}@example.com`,
    tags: i % 3 === 0 ? {} : { email: `user${i}@example.com`, Team: `team ${i % 4}` },
    groups: i % 2 === 0 ? ['developers'] : [],
    devices: i % 3 === 1 ? 1 : 0,
    unassigned: i % 4 === 2 ? 1 : 0,
  })),
];

async function createPerson(iam: IAMClient, p: Planned): Promise<void> {
  const UserName = p.userName;
  await iam.send(new CreateUserCommand({ UserName, ...(p.path ? { Path: p.path } : {}), Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) }));
  for (const GroupName of p.groups) await iam.send(new AddUserToGroupCommand({ UserName, GroupName }));
  for (let d = 0; d < p.devices; d++) {
    const name = `${UserName.replace(/[^\w-]/g, '-')}-${d}`;
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
    const codes = consecutiveCodes(secretFromSeed(VirtualMFADevice!.Base32StringSeed!));
    await iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber: VirtualMFADevice!.SerialNumber!, ...codes }));
  }
  for (let d = 0; d < p.unassigned; d++)
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${UserName.replace(/[^\w-]/g, '-')}-left-${d}` }));
}

beforeAll(async () => {
  const { stack } = await useLocalStack();
  setTestEnv({ MFA_ACCOUNTS: `${stack.env.MFA_ACCOUNTS},${ACCOUNT}` });
  resetAwsClients();
  const direct = { endpoint: stack.motoUrl, region: stack.env.AWS_REGION ?? 'us-east-1' };
  await setMotoAuth(stack.motoUrl, false);
  try {
    const iam = await setUpExtraAccount(direct, ACCOUNT, 'lean-listings');
    for (const p of PEOPLE) await createPerson(iam, p);
    iam.destroy();
  } finally {
    await setMotoAuth(stack.motoUrl, true);
  }
}, 120_000);

/** The users as the code read them before: the SDK's paginator and parse, then toIamUser. */
async function usersBySdk(): Promise<IamUser[]> {
  const users: IamUser[] = [];
  for await (const page of paginateGetAccountAuthorizationDetails({ client: countedIam(ACCOUNT), pageSize: PAGE }, { Filter: ['User'] }))
    for (const u of page.UserDetailList ?? []) users.push(toIamUser(ACCOUNT, u));
  return users;
}

async function devicesBySdk(): Promise<VirtualDeviceEntry[]> {
  const out: VirtualDeviceEntry[] = [];
  for await (const page of paginateListVirtualMFADevices({ client: countedIam(ACCOUNT), pageSize: 2 }, { AssignmentStatus: 'Any' }))
    for (const d of page.VirtualMFADevices ?? []) out.push(toVirtualDeviceEntry(d)!);
  return out;
}

describe('the big listings read from the raw response', () => {
  it('give exactly the users of the SDK parse, page by page', async () => {
    const counts: CallCounts = {};
    const pages = await countCalls(counts, async () => {
      const read: IamUser[][] = [];
      for await (const page of accountUserPages(ACCOUNT, { pageSize: PAGE })) read.push(page);
      return read;
    });
    const expected = await usersBySdk();
    expect(pages.flat()).toEqual(expected);
    // The comparison has substance: every user, over several pages, with the varied fields.
    expect(expected.map((u) => u.userName).sort()).toEqual(PEOPLE.map((p) => p.userName).sort());
    expect(pages.length).toBeGreaterThan(PEOPLE.length / PAGE);
    expect(counts.GetAccountAuthorizationDetails).toBe(pages.length);
    const ana = expected.find((u) => u.userName === 'ana.lopez')!;
    expect([ana.path, ana.tags, ana.groups.sort()]).toEqual([
      '/engineering/',
      { email: 'ana&co <ana@example.com>', quote: `"double" and 'single'` },
      ['developers', 'operators'],
    ]);
    expect(expected.find((u) => u.userName === 'zoe.muller')!.tags).toEqual({ Équipe: 'Zoë 東京 🔑', empty: '' });
    expect(expected.find((u) => u.userName === 'no.tags')!.path).toBe('/odd&<>"\'path/');
    expect(expected.every((u) => u.createdAt !== null)).toBe(true);
  });

  it('give exactly the virtual devices of the SDK parse, assigned and unassigned', async () => {
    const counts: CallCounts = {};
    const read = await countCalls(counts, () => listVirtualDevices(ACCOUNT, { pageSize: 2 }));
    const expected = await devicesBySdk();
    expect(read).toEqual(expected);
    const planned = PEOPLE.reduce((n, p) => n + p.devices + p.unassigned, 0);
    expect(expected).toHaveLength(planned);
    expect(expected.filter((d) => d.userName !== null && d.enabledAt !== null)).toHaveLength(PEOPLE.reduce((n, p) => n + p.devices, 0));
    expect(counts.ListVirtualMFADevices).toBeGreaterThanOrEqual(planned / 2);
  });

  it('read every page of the local stack with the reader, not through the fallback', async () => {
    const iam = countedIam(ACCOUNT);
    let pages = 0;
    for (let Marker: string | undefined, more = true; more; pages++) {
      const users = new GetAccountAuthorizationDetailsCommand({ Filter: ['User'], MaxItems: PAGE, ...(Marker ? { Marker } : {}) });
      const taken = takeListMembers(users, 'GetAccountAuthorizationDetails', 'UserDetailList', readUserDetail);
      const out = await iam.send(users);
      expect(taken.members).toBeDefined();
      [Marker, more] = [out.Marker, !!out.IsTruncated];
    }
    expect(pages).toBeGreaterThan(1);
    const devices = new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any' });
    const taken = takeListMembers(devices, 'ListVirtualMFADevices', 'VirtualMFADevices', readVirtualDevice);
    await iam.send(devices);
    expect(taken.members?.length).toBeGreaterThan(2);
  });
});
