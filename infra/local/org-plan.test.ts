import { describe, expect, it } from 'vitest';
import { planOrganisation, SPARE_HARDWARE_TOKENS, type PlannedUser } from './org-plan';
import { toBase32 } from './totp';
import { ACCOUNTS, ADMIN_GROUP, ALL_GROUPS, EMAIL_TAG_KEY, HOSTING_ACCOUNT, LOCAL_CONSOLE_USER_NAME, PORTAL_USER_NAME, SECURITY_GROUP, SERVICE_TAG_KEY, SERVICE_TAG_VALUE } from './organisation';
import { demoIamUsers, demoPeople } from './people';

const small = planOrganisation({ usersPerAccount: 50 });
const large = planOrganisation({ usersPerAccount: 1000 });

const share = (users: PlannedUser[], predicate: (u: PlannedUser) => boolean) => users.filter(predicate).length / users.length;

describe('planOrganisation', () => {
  it('is a pure function of its options', () => {
    expect(planOrganisation({ usersPerAccount: 50 })).toEqual(small);
    expect(planOrganisation({ usersPerAccount: 50, seed: 'other' }).users).not.toEqual(small.users);
  });

  it('puts exactly usersPerAccount users in every account, with unique names', () => {
    for (const account of ACCOUNTS) {
      const names = small.users.filter((u) => u.accountId === account.id).map((u) => u.userName);
      expect(names).toHaveLength(50);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(large.users).toHaveLength(3000);
  });

  it('gives the demo people exactly their IAM users, tagged with their email', () => {
    for (const demo of demoIamUsers) {
      const user = small.users.find((u) => u.accountId === demo.accountId && u.userName === demo.userName);
      expect(user, demo.userName).toBeDefined();
      expect(user?.owner).toBe(demo.owner);
      expect(user?.tags[EMAIL_TAG_KEY]).toBe(demo.owner);
      expect(user?.groups).toEqual(demo.groups);
      expect(user?.devices.map((d) => d.type)).toEqual(demo.devices);
      expect(user?.accessKey).toBe(demo.accessKey);
      expect(user?.leftoverVirtualDevices).toEqual([]);
      expect(user?.consoleAccess).toBe(true);
    }
    const demoEmails = new Set(demoPeople.map((p) => p.email));
    const owned = small.users.filter((u) => u.email && demoEmails.has(u.email));
    expect(owned).toHaveLength(demoIamUsers.length);
    expect(owned.every((u) => u.owner === u.email)).toBe(true);
  });

  it('keeps the portal groups to the demo admin and security people', () => {
    const inGroup = (group: string) => large.users.filter((u) => u.groups.includes(group)).map((u) => u.userName);
    expect(inGroup(ADMIN_GROUP)).toEqual(['carol']);
    expect(inGroup(SECURITY_GROUP)).toEqual(['dave']);
    for (const user of large.users) for (const group of user.groups) expect(ALL_GROUPS).toContain(group);
  });

  it('has the portal user in the hosting account only, and break-glass users in prod and security', () => {
    expect(small.users.filter((u) => u.userName === PORTAL_USER_NAME).map((u) => u.accountId)).toEqual([HOSTING_ACCOUNT]);
    const breakGlass = small.users.filter((u) => u.kind === 'break-glass');
    expect(breakGlass.map((u) => u.accountId).sort()).toEqual(['111111111111', '333333333333']);
    for (const u of breakGlass) expect(u).toMatchObject({ consoleAccess: true, devices: [], mfaState: 'none' });
  });

  it('has the local console user in the hosting account only: a service user with a key and no password', () => {
    const consoles = small.users.filter((u) => u.userName === LOCAL_CONSOLE_USER_NAME);
    expect(consoles).toHaveLength(1);
    expect(consoles[0]).toMatchObject({ accountId: HOSTING_ACCOUNT, kind: 'service', consoleAccess: false, accessKey: true, devices: [], groups: [] });
  });

  it('mixes MFA states in about the intended proportions', () => {
    const humans = large.users.filter((u) => u.kind === 'human' && !u.owner);
    const devices = (u: PlannedUser) => u.devices.length;
    const only = (type: string) => (u: PlannedUser) => u.devices.length === 1 && u.devices[0]?.type === type;
    expect(share(humans, (u) => devices(u) === 0)).toBeCloseTo(0.4, 1);
    expect(share(humans, only('virtual'))).toBeCloseTo(0.3, 1);
    expect(share(humans, only('hardware'))).toBeCloseTo(0.1, 1);
    expect(share(humans, only('fido'))).toBeCloseTo(0.1, 1);
    expect(share(humans, (u) => devices(u) > 1)).toBeCloseTo(0.1, 1);
    expect(share(humans, (u) => u.mfaState === 'leftover-only')).toBeGreaterThan(0.02);
    for (const u of large.users.filter((x) => x.devices.length > 1)) {
      expect(u.devices.length).toBeLessThanOrEqual(3);
      expect(new Set(u.devices.map((d) => d.type)).size).toBeGreaterThan(1);
    }
  });

  it('derives mfaState from devices and leftovers', () => {
    for (const u of large.users) {
      const expected = u.devices.length > 0 ? 'enabled' : u.leftoverVirtualDevices.length > 0 ? 'leftover-only' : 'none';
      expect(u.mfaState).toBe(expected);
    }
  });

  it('includes service users with console passwords, API-only users and never-used passwords', () => {
    expect(large.users.some((u) => u.kind === 'service' && u.consoleAccess)).toBe(true);
    expect(large.users.some((u) => u.kind === 'human' && !u.consoleAccess)).toBe(true);
    expect(large.users.some((u) => u.kind === 'human' && u.passwordNeverUsed)).toBe(true);
    expect(large.users.every((u) => !u.passwordNeverUsed || u.consoleAccess)).toBe(true);
    expect(large.users.some((u) => u.path === '/engineering/')).toBe(true);
    expect(large.users.every((u) => u.arn === `arn:aws:iam::${u.accountId}:user${u.path}${u.userName}`)).toBe(true);
  });

  it('lets many people own users in more than one account', () => {
    const accountsByEmail = new Map<string, Set<string>>();
    for (const u of large.users.filter((x) => x.kind === 'human' && x.email)) {
      const key = (u.email as string).toLowerCase();
      accountsByEmail.set(key, (accountsByEmail.get(key) ?? new Set()).add(u.accountId));
    }
    expect([...accountsByEmail.values()].filter((s) => s.size > 1).length).toBeGreaterThan(100);
  });
});

describe('device serials', () => {
  const all = large.users.flatMap((u) => u.devices.map((d) => ({ ...d, user: u })));

  it('follow the IAM formats for each type', () => {
    for (const { serial, type, name, user } of all) {
      if (type === 'virtual') expect(serial).toBe(`arn:aws:iam::${user.accountId}:mfa/${name}`);
      if (type === 'hardware') expect(serial).toMatch(/^GAHT\d{8}$/);
      if (type === 'fido') expect(serial).toMatch(new RegExp(`^arn:aws:iam::${user.accountId}:u2f/user/${user.userName.replace(/\./g, '\\.')}/[\\w-]+-[A-Z2-7]{26}$`));
    }
    for (const u of large.users) for (const s of u.leftoverVirtualDevices) expect(s).toMatch(new RegExp(`^arn:aws:iam::${u.accountId}:mfa/[\\w+=,.@-]+$`));
  });

  it('are unique: hardware across the organisation, virtual names within an account', () => {
    const hardware = all.filter((d) => d.type === 'hardware').map((d) => d.serial);
    expect(new Set(hardware).size).toBe(hardware.length);
    const virtual = [...all.filter((d) => d.type === 'virtual').map((d) => d.serial), ...large.users.flatMap((u) => u.leftoverVirtualDevices)];
    expect(new Set(virtual).size).toBe(virtual.length);
  });
});

describe('hardware token stock', () => {
  it('has a base32 secret for every assigned hardware serial plus spares', () => {
    const assigned = large.users.flatMap((u) => u.devices.filter((d) => d.type === 'hardware').map((d) => d.serial));
    expect(large.hardwareTokens.filter((t) => t.userName).map((t) => t.serial).sort()).toEqual([...assigned].sort());
    const spares = large.hardwareTokens.filter((t) => !t.userName);
    expect(spares).toHaveLength(SPARE_HARDWARE_TOKENS);
    expect(spares.every((t) => t.accountId === undefined && !assigned.includes(t.serial))).toBe(true);
    for (const t of large.hardwareTokens) expect(t.secretBase32).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(large.hardwareTokens.map((t) => t.serial)).size).toBe(large.hardwareTokens.length);
  });

  it('gives dave a hardware token whose secret does not depend on the organisation size', () => {
    const daves = (plan: typeof small) => plan.hardwareTokens.find((t) => t.userName === 'dave');
    expect(daves(small)).toBeDefined();
    expect(daves(large)).toEqual(daves(small));
  });
});

describe('toBase32', () => {
  it('encodes RFC 4648 test vectors without padding', () => {
    const enc = (s: string) => toBase32(new TextEncoder().encode(s));
    expect(enc('')).toBe('');
    expect(enc('f')).toBe('MY');
    expect(enc('fo')).toBe('MZXQ');
    expect(enc('foo')).toBe('MZXW6');
    expect(enc('foob')).toBe('MZXW6YQ');
    expect(enc('fooba')).toBe('MZXW6YTB');
    expect(enc('foobar')).toBe('MZXW6YTBOI');
  });

  it('marks every service user, and only them, with the organisation tag kind=service', () => {
    for (const u of large.users) expect(u.tags[SERVICE_TAG_KEY] === SERVICE_TAG_VALUE, u.userName).toBe(u.kind === 'service');
  });

  it('dates users as a real history: sign-ins after creation; recent, weeks-old, stale and never; some users new', () => {
    const consoleUsers = large.users.filter((u) => u.consoleAccess);
    for (const u of large.users) {
      expect(u.createdDaysAgo, u.userName).toBeGreaterThanOrEqual(0);
      if (u.passwordLastUsedDaysAgo !== null) {
        expect(u.consoleAccess, u.userName).toBe(true);
        expect(u.passwordLastUsedDaysAgo, u.userName).toBeLessThanOrEqual(u.createdDaysAgo);
      }
      expect(u.passwordNeverUsed, u.userName).toBe(u.consoleAccess && u.passwordLastUsedDaysAgo === null);
    }
    const used = consoleUsers.filter((u) => u.passwordLastUsedDaysAgo !== null).map((u) => u.passwordLastUsedDaysAgo!);
    expect(used.filter((d) => d < 30).length / used.length).toBeGreaterThan(0.6);
    expect(used.filter((d) => d >= 90).length / used.length).toBeGreaterThan(0.1);
    const never = consoleUsers.filter((u) => u.passwordNeverUsed);
    expect(never.some((u) => u.createdDaysAgo < 90)).toBe(true); // not signed in yet
    expect(never.some((u) => u.createdDaysAgo >= 90)).toBe(true); // never signed in, stale
    expect(share(large.users, (u) => u.createdDaysAgo < 90)).toBeLessThan(0.15);
  });

  it('gives the demo cast their stories: carol signed in lately, bob is new, frank is stale, break-glass was never used', () => {
    const get = (name: string) => small.users.find((u) => u.userName === name)!;
    expect(get('carol')).toMatchObject({ passwordLastUsedDaysAgo: 2, createdDaysAgo: 400, passwordNeverUsed: false, kind: 'human' });
    expect(get('bob')).toMatchObject({ passwordLastUsedDaysAgo: null, createdDaysAgo: 3, passwordNeverUsed: true });
    expect(get('frank')).toMatchObject({ passwordLastUsedDaysAgo: 150, createdDaysAgo: 900 });
    for (const u of small.users.filter((x) => x.kind === 'break-glass')) expect(u).toMatchObject({ passwordLastUsedDaysAgo: null, createdDaysAgo: 700, passwordNeverUsed: true });
  });
});
