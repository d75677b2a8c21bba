import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IamUser } from '@/lib/aws/iam';
import { toMfaDevice, type MfaDevice } from '@/lib/aws/mfa-devices';
import type { VirtualDeviceEntry } from '@/lib/aws/inventory-sources';
import { AwsError } from '@/lib/aws/errors';
import type { ProgramCategory, UserDecision } from '@/lib/program/resolve';

// The AWS adapters are replaced by an in-memory account, so the collection's own decisions can be checked:
// which users get a per-user call, and what each row says.
const A = '111111111111';
const state = {
  users: [] as IamUser[],
  csv: '',
  virtual: [] as VirtualDeviceEntry[],
  devices: new Map<string, MfaDevice[]>(),
  passwords: new Set<string>(),
  /** GetAccountAuthorizationDetails' page size. */
  pageSize: 4,
};
const calls = { listMfaDevices: [] as string[], hasConsoleAccess: [] as string[], getMfaDevice: [] as string[] };
/** Users whose ListMFADevices fails with this error: deleted ones (NoSuchEntity) or an outage. */
const failing = new Map<string, AwsError>();

vi.mock('@/lib/aws/inventory-sources', () => ({
  accountUserPages: async function* () {
    for (let i = 0; i < state.users.length; i += state.pageSize) yield state.users.slice(i, i + state.pageSize);
  },
  readCredentialReport: async () => ({ csv: state.csv, generatedAt: new Date('2026-01-01T00:00:00Z') }),
  listVirtualDevices: async () => state.virtual,
}));
vi.mock('@/lib/aws/iam', () => ({
  getAccountAlias: async () => 'acme-prod',
  getFidoCertifications: async (_a: string, _u: string, serial: string) => {
    calls.getMfaDevice.push(serial);
    return serial.endsWith('-CERT') ? { FIDO: 'L1' } : {};
  },
  listMfaDevices: async (_a: string, userName: string) => {
    calls.listMfaDevices.push(userName);
    const error = failing.get(userName);
    if (error) throw error;
    return state.devices.get(userName) ?? [];
  },
  hasConsoleAccess: async (_a: string, userName: string) => {
    calls.hasConsoleAccess.push(userName);
    return state.passwords.has(userName);
  },
}));

const { collectAccount } = await import('./collect');
const { USER_BATCH } = await import('./collect-batch');

const user = (userName: string, tags: Record<string, string> = {}): IamUser => ({
  accountId: A, userName, arn: `arn:aws:iam::${A}:user/${userName}`, path: '/', createdAt: '2024-01-01T00:00:00.000Z', tags, groups: [],
});
const header = 'user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_last_used_date,access_key_2_last_used_date';
const line = (u: string, pw: boolean, mfa: boolean, used = 'no_information') => `${u},arn:aws:iam::${A}:user/${u},2024-01-01T00:00:00+00:00,${pw},${pw ? used : 'not_supported'},${mfa},N/A,N/A`;
const v = (name: string) => `arn:aws:iam::${A}:mfa/${name}`;
const fido = (u: string) => `arn:aws:iam::${A}:u2f/user/${u}/key-ABCDEF`;

beforeEach(() => {
  calls.listMfaDevices = [];
  calls.hasConsoleAccess = [];
  calls.getMfaDevice = [];
  failing.clear();
  // virt: a virtual device; both: virtual + FIDO; hw: FIDO only; left: a console leftover; late: created after the report.
  state.users = ['virt', 'both', 'hw', 'left', 'none', 'late'].map((n) => user(n));
  state.csv = [header, '<root_account>,arn:aws:iam::111111111111:root,N/A,not_supported,N/A,false,N/A,N/A', line('virt', true, true, '2025-12-30T00:00:00+00:00'), line('both', true, true), line('hw', true, true), line('left', true, false), line('none', false, false)].join('\n');
  state.virtual = [
    { serial: v('virt-phone'), userName: 'virt', enabledAt: new Date('2025-01-01T00:00:00Z') },
    { serial: v('both-phone'), userName: 'both', enabledAt: new Date('2025-01-01T00:00:00Z') },
    { serial: v('left'), userName: null, enabledAt: null },
    { serial: v('someone-else'), userName: null, enabledAt: null },
  ];
  state.devices = new Map([
    ['virt', [toMfaDevice(v('virt-phone'), '2025-01-01T00:00:00Z')]],
    ['both', [toMfaDevice(v('both-phone'), '2025-01-01T00:00:00Z'), toMfaDevice(fido('both'), '2025-02-01T00:00:00Z')]],
    ['hw', [toMfaDevice(fido('hw'), '2025-02-01T00:00:00Z')]],
    ['late', [toMfaDevice('GAHT0001', '2026-01-02T00:00:00Z')]],
  ]);
  state.passwords = new Set(['late']);
  state.pageSize = 4;
});

const byName = (inv: Awaited<ReturnType<typeof collectAccount>>) => new Map(inv.users.map((u) => [u.userName, u]));
const now = new Date('2026-01-05T00:00:00Z');

describe('collectAccount', () => {
  it('calls ListMFADevices only where MFA is not explained by a virtual device, and for users missing from the report', async () => {
    const inv = await collectAccount(A, { now });
    expect(calls.listMfaDevices.sort()).toEqual(['hw', 'late']);
    expect(calls.hasConsoleAccess).toEqual(['late']);
    const u = byName(inv);
    expect(u.get('virt')).toMatchObject({ mfaState: 'enabled', consoleAccess: true, flags: [] });
    expect(u.get('hw')!.devices.map((d) => d.type)).toEqual(['fido']);
    // No program: one device of any type settles every verdict, so the FIDO key next to the virtual one is not listed.
    expect(u.get('both')!.devices.map((d) => d.type)).toEqual(['virtual']);
    expect(u.get('left')).toMatchObject({ mfaState: 'leftover-only', leftoverDevices: [v('left')] });
    expect(u.get('none')).toMatchObject({ mfaState: 'none', consoleAccess: false, flags: [] });
    // Not in the report: live console check, usage unknown so no usage flags.
    expect(u.get('late')).toMatchObject({ consoleAccess: true, mfaState: 'enabled', passwordLastUsed: null, flags: [] });
    expect(inv).toMatchObject({ alias: 'acme-prod', rootMfaActive: false, unattributedLeftovers: [v('someone-else')] });
    expect(inv.credentialReportAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('listAllDevices: exact devices for every user with MFA', async () => {
    const inv = await collectAccount(A, { now, listAllDevices: true });
    expect(calls.listMfaDevices.sort()).toEqual(['both', 'hw', 'late', 'virt']);
    const both = byName(inv).get('both')!;
    expect(both.devices.map((d) => d.type).sort()).toEqual(['fido', 'virtual']);
    expect(both.flags).toContain('several-devices');
  });

  it('lists the devices of a virtual-device user whose category the virtual device alone does not satisfy', async () => {
    const category = (id: number, over: Partial<ProgramCategory>): ProgramCategory => ({
      id, name: `c${id}`, position: id, selectorKind: 'account', selectorKey: null, selectorValue: A, defaultDecision: 'required',
      allowedDeviceTypes: ['virtual', 'hardware', 'fido'], minDevices: 1, requireCertifiedKey: false, deadline: now, cohort: `c${id}`,
      reason: null, approver: null, expiresAt: null, ...over,
    });
    const decision = (over: Partial<UserDecision>): UserDecision => ({ categoryId: null, decision: null, reason: null, approver: null, expiresAt: null, ...over });
    // Operators-like: hardware or FIDO, with a backup.
    const operators = category(1, { allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2 });
    const inv = await collectAccount(A, { now, program: { categories: [operators], decisions: new Map() } });
    expect(calls.listMfaDevices.sort()).toEqual(['both', 'hw', 'late', 'virt']);
    expect(byName(inv).get('both')!.devices.map((d) => d.type).sort()).toEqual(['fido', 'virtual']);

    // Virtual allowed but a backup required: still listed. Allowed and one device enough: the cheap path.
    calls.listMfaDevices = [];
    await collectAccount(A, { now, program: { categories: [category(1, { minDevices: 2 })], decisions: new Map() } });
    expect(calls.listMfaDevices.sort()).toEqual(['both', 'hw', 'late', 'virt']);
    calls.listMfaDevices = [];
    await collectAccount(A, { now, program: { categories: [category(1, {})], decisions: new Map() } });
    expect(calls.listMfaDevices.sort()).toEqual(['hw', 'late']);

    // Per-user decisions: an override into Operators makes it exact; out of scope for good does not need it, an
    // exception that will expire does (the user comes back into scope with the stored devices).
    calls.listMfaDevices = [];
    const open = category(2, { position: 0 });
    await collectAccount(A, {
      now,
      program: {
        categories: [operators, open],
        decisions: new Map([
          ['virt', decision({ categoryId: 1 })],
          ['both', decision({ categoryId: 1, decision: 'exception', expiresAt: new Date('2026-06-01T00:00:00Z') })],
        ]),
      },
    });
    expect(calls.listMfaDevices.sort()).toEqual(['both', 'hw', 'late', 'virt']);
    calls.listMfaDevices = [];
    await collectAccount(A, {
      now,
      program: { categories: [operators], decisions: new Map([['virt', decision({ decision: 'out-of-scope' })], ['both', decision({ decision: 'exception' })]]) },
    });
    expect(calls.listMfaDevices.sort()).toEqual(['hw', 'late']);
  });

  it('reads certifications (GetMFADevice) only for FIDO devices of users whose category requires a certified key', async () => {
    const keys: ProgramCategory = {
      id: 1, name: 'keys', position: 1, selectorKind: 'account', selectorKey: null, selectorValue: A, defaultDecision: 'required',
      allowedDeviceTypes: ['fido'], minDevices: 1, requireCertifiedKey: true, deadline: now, cohort: 'keys', reason: null, approver: null, expiresAt: null,
    };
    state.devices.set('hw', [toMfaDevice(`${fido('hw')}-CERT`, '2025-02-01T00:00:00Z')]);
    const inv = await collectAccount(A, { now, program: { categories: [keys], decisions: new Map() } });
    expect(calls.getMfaDevice.sort()).toEqual([fido('both'), `${fido('hw')}-CERT`]);
    const u = byName(inv);
    expect(u.get('hw')!.devices[0]!.certifications).toEqual({ FIDO: 'L1' });
    expect(u.get('both')!.devices.find((d) => d.type === 'fido')!.certifications).toEqual({});
    // Virtual devices are never asked about; without the requirement nothing is read.
    calls.getMfaDevice = [];
    const plain = await collectAccount(A, { now, program: { categories: [{ ...keys, requireCertifiedKey: false }], decisions: new Map() } });
    expect(calls.getMfaDevice).toEqual([]);
    expect(byName(plain).get('hw')!.devices[0]!.certifications).toBeUndefined();
  });

  it('re-checks users the portal updated after the report was generated', async () => {
    const recheck = vi.fn(async () => new Set(['none']));
    state.devices.set('none', [toMfaDevice('GAHT0002', '2026-01-03T00:00:00Z')]);
    const inv = await collectAccount(A, { now, recheck });
    expect(recheck).toHaveBeenCalledWith(new Date('2026-01-01T00:00:00Z'));
    expect(calls.listMfaDevices).toContain('none');
    expect(byName(inv).get('none')).toMatchObject({ mfaState: 'enabled' });
  });

  it('leaves out a user deleted between the bulk read and its own call, and still fails on any other error', async () => {
    failing.set('late', new AwsError('NoSuchEntity', 'iam:ListMFADevices', 'NoSuchEntityException'));
    const inv = await collectAccount(A, { now });
    expect(byName(inv).has('late')).toBe(false);
    expect(byName(inv).get('hw')!.devices.map((d) => d.type)).toEqual(['fido']);
    expect(inv.users).toHaveLength(5);

    failing.set('late', new AwsError('ServiceFailure', 'iam:ListMFADevices', 'ServiceUnavailable'));
    await expect(collectAccount(A, { now })).rejects.toMatchObject({ code: 'ServiceFailure' });
  });

  it('hands the users on batch by batch (onUsers), each batch with its own calls done, the same rows as in one pass', async () => {
    // 1,203 users in pages of 1,000: every fourth has MFA that no virtual device explains (a ListMFADevices each).
    state.pageSize = 1000;
    const names = Array.from({ length: 1203 }, (_, i) => `u${String(i).padStart(4, '0')}`);
    state.users = names.map((n) => user(n));
    state.csv = [header, ...names.map((n, i) => line(n, true, i % 4 === 0))].join('\n');
    state.virtual = [{ serial: v('u1202'), userName: null, enabledAt: null }];
    state.devices = new Map(names.filter((_, i) => i % 4 === 0).map((n) => [n, [toMfaDevice(fido(n), '2025-02-01T00:00:00Z')]]));
    const whole = await collectAccount(A, { now });
    const callsInOnePass = [...calls.listMfaDevices];
    calls.listMfaDevices = [];

    const batches: { size: number; listedBefore: number }[] = [];
    const received: typeof whole.users = [];
    const inv = await collectAccount(A, {
      now,
      onUsers: async (batch) => {
        batches.push({ size: batch.length, listedBefore: calls.listMfaDevices.length });
        received.push(...batch);
      },
    });
    // The first page in two batches, the second page but u1202 (an unassigned device may be theirs), then u1202 once
    // every user name is known.
    expect(batches.map((b) => b.size)).toEqual([USER_BATCH, USER_BATCH, 1203 - 2 * USER_BATCH - 1, 1]);
    // A batch is handed on once its own users' calls are made, before the next batch's.
    expect(batches.map((b) => b.listedBefore)).toEqual([USER_BATCH / 4, (2 * USER_BATCH) / 4, callsInOnePass.length, callsInOnePass.length]);
    expect(calls.listMfaDevices).toEqual(callsInOnePass);
    expect(inv.users).toEqual([]);
    expect(inv.userCount).toBe(1203);
    expect(received).toEqual(whole.users);
    // A leftover is attributed across batches: the owner is in the last one.
    expect(received.at(-1)).toMatchObject({ userName: 'u1202', leftoverDevices: [v('u1202')] });
  });

  it('gives an unassigned device to the longest user name it fits, whichever page each user is on', async () => {
    // bob on the first page, bob-smith on the last: bob-smith's device must not go to bob, who was read first.
    state.pageSize = 2;
    state.users = ['bob', 'amy', 'carl', 'bob-smith'].map((n) => user(n));
    state.csv = [header, ...state.users.map((u) => line(u.userName, true, false))].join('\n');
    state.virtual = [
      { serial: v('bob-smith-phone'), userName: null, enabledAt: null },
      { serial: v('amy-old'), userName: null, enabledAt: null },
    ];
    const batches: string[][] = [];
    const inv = await collectAccount(A, { now, onUsers: async (batch) => void batches.push(batch.map((u) => u.userName)) });
    expect(inv.userCount).toBe(4);
    // Users no unassigned device can belong to are handed on with their page; the others once all names are known.
    expect(batches).toEqual([['carl'], ['bob', 'amy', 'bob-smith']]);
    const rows = new Map((await collectAccount(A, { now })).users.map((u) => [u.userName, u]));
    expect(rows.get('bob-smith')?.leftoverDevices).toEqual([v('bob-smith-phone')]);
    expect(rows.get('bob')?.leftoverDevices).toEqual([]);
    expect(rows.get('amy')?.leftoverDevices).toEqual([v('amy-old')]);
  });

  it('a failing batch write fails the collection before the next batch is collected', async () => {
    state.users = Array.from({ length: 2 * USER_BATCH }, (_, i) => user(`u${i}`));
    state.csv = [header, ...state.users.map((u) => line(u.userName, true, false))].join('\n');
    let handed = 0;
    await expect(
      collectAccount(A, {
        now,
        onUsers: async () => {
          handed++;
          throw new Error('database down');
        },
      }),
    ).rejects.toThrow('database down');
    expect(handed).toBe(1);
  });
});
