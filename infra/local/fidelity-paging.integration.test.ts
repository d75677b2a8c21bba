import {
  GetAccountAuthorizationDetailsCommand,
  ListUsersCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListMFADevices,
  paginateListUsers,
  paginateListVirtualMFADevices,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, fidelityFixture } from './fidelity-fixture';
import { collect, failure } from './integration-support';

/** MaxItems/Marker paging of the IAM listings the portal reads (moto_fidelity.py). */

const fx = fidelityFixture();

describe('paging', () => {
  it('pages ListUsers with MaxItems and Marker: every user exactly once', async () => {
    for (const account of fx.truth.accounts) {
      const client = fx.portalByAccount.get(account.id) as IAMClient;
      const all = await client.send(new ListUsersCommand({ MaxItems: 1000 }));
      expect(all.IsTruncated).toBe(false);
      const names = (all.Users ?? []).map((u) => u.UserName);
      expect(names).toEqual(expect.arrayContaining(fx.truth.users.filter((u) => u.accountId === account.id).map((u) => u.userName)));

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
    const client = fx.portalByAccount.get(ACCOUNT) as IAMClient;
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
    const several = fx.truth.users.find((u) => u.devices.length >= 2);
    if (!several) throw new Error('the seed has no user with several devices');
    const client = fx.portalByAccount.get(several.accountId) as IAMClient;
    const pages = await collect(paginateListMFADevices({ client, pageSize: 1 }, { UserName: several.userName }));
    expect(pages).toHaveLength(several.devices.length);
    expect(pages.map((p) => p.MFADevices?.length)).toEqual(several.devices.map(() => 1));
    expect(pages.flatMap((p) => p.MFADevices ?? []).map((d) => d.SerialNumber)).toEqual(several.devices.map((d) => d.serial));
  });

  it('refuses a bad Marker and a MaxItems out of range with ValidationError', async () => {
    expect(await failure(fx.portal.send(new ListUsersCommand({ Marker: 'not-a-marker' })))).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await failure(fx.portal.send(new ListUsersCommand({ MaxItems: 0 })))).toMatchObject({ name: 'ValidationError' });
    expect(await failure(fx.portal.send(new ListUsersCommand({ MaxItems: 1001 })))).toMatchObject({ name: 'ValidationError' });
  });

  it('keeps ListVirtualMFADevices paging, by assignment status, with no empty last page', async () => {
    const list = async (AssignmentStatus: 'Any' | 'Assigned' | 'Unassigned', pageSize: number) =>
      await collect(paginateListVirtualMFADevices({ client: fx.portal, pageSize }, { AssignmentStatus }));
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
