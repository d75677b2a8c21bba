import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteGroupCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { consoleIam, registerFidoKey } from '@/infra/local/console';
import { readHardwareTokens, type GroundTruth } from '@/infra/local/ground-truth';
import { DEV_ACCOUNT } from '@/infra/local/organisation';
import { consecutiveCodes, secretFromSeed } from '@/infra/local/totp';
import { useLocalStack } from '@/test-support/stack';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { programCategories, programDecisions, programUsers, type DeviceType } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { getDashboard } from './queries';
import { startRefresh, waitForRun } from './refresh';

// The default inventory mode against the local stack (moto + fidelity layer): users with a virtual device AND a
// hardware or FIDO device, in categories where the virtual device does not count, get the verdict their devices earn.
const A = DEV_ACCOUNT;
const admin: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const tag = randomBytes(3).toString('hex');
const group = (name: string) => `${name}-${tag}`;
let iam: IAMClient;
let truth: GroundTruth;
let motoUrl: string;
let tokensFile: string;
const created: { user: string; group: string }[] = [];
const virtualSerials: string[] = [];

async function newUser(name: string, groupName: string): Promise<string> {
  const UserName = `${name}-${tag}`;
  await iam.send(new CreateUserCommand({ UserName }));
  await iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Exact-verdicts-1!' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: groupName, UserName }));
  created.push({ user: UserName, group: groupName });
  return UserName;
}

async function addVirtual(UserName: string) {
  const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${UserName}-app` }));
  virtualSerials.push(VirtualMFADevice!.SerialNumber!);
  await iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber: VirtualMFADevice!.SerialNumber!, ...consecutiveCodes(secretFromSeed(VirtualMFADevice!.Base32StringSeed!)) }));
}

const fido = (userName: string, certifications?: Record<string, string>) =>
  registerFidoKey({ motoUrl, accountId: A, userName, name: 'YubiKey', groundTruth: truth, certifications });

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  resetAwsClients();
  truth = groundTruth;
  motoUrl = stack.motoUrl;
  tokensFile = stack.hardwareTokensFile;
  iam = await consoleIam({ motoUrl, accountId: A, groundTruth });
  for (const g of ['ops1', 'ops2', 'keys']) await iam.send(new CreateGroupCommand({ GroupName: group(g) }));
});

afterAll(async () => {
  for (const { user, group: g } of created) {
    for (const d of (await iam.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [])
      await iam.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: d.SerialNumber }));
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: g, UserName: user }));
    await iam.send(new DeleteLoginProfileCommand({ UserName: user }));
    await iam.send(new DeleteUserCommand({ UserName: user }));
  }
  for (const SerialNumber of virtualSerials) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber }));
  for (const g of ['ops1', 'ops2', 'keys']) await iam.send(new DeleteGroupCommand({ GroupName: group(g) }));
  iam.destroy();
});

describe('default mode with a program whose categories restrict types, require a backup or a certified key', () => {
  it('lists the devices a verdict depends on: the virtual+hardware operator is compliant, the rest get their true gap', async () => {
    // A spare token from the drawer (the last ones: other tests take the first).
    const used = new Set(truth.users.flatMap((u) => u.devices.map((d) => d.serial)));
    const token = (await readHardwareTokens(tokensFile)).filter((t) => !t.userName && !used.has(t.serial)).at(-1);
    expect(token, 'a spare hardware token in the local stack').toBeDefined();

    const vh = await newUser('vh', group('ops1'));
    await addVirtual(vh);
    await iam.send(new EnableMFADeviceCommand({ UserName: vh, SerialNumber: token!.serial, ...consecutiveCodes(token!.secretBase32) }));
    const vf = await newUser('vf', group('ops2'));
    await addVirtual(vf);
    await fido(vf, { FIDO: 'L1' });
    const vff = await newUser('vff', group('ops2'));
    await addVirtual(vff);
    await fido(vff, { FIDO: 'L1' });
    await fido(vff);
    const passkey = await newUser('passkey', group('keys'));
    await addVirtual(passkey);
    await fido(passkey);
    const certified = await newUser('certified', group('keys'));
    await addVirtual(certified);
    await fido(certified, { 'FIPS-140-3': 'L2' });

    const db = await getDb();
    const category = (name: string, position: number, allowed: DeviceType[], minDevices: number, requireCertifiedKey = false) => ({
      name, position, selectorKind: 'group' as const, selectorKey: null, selectorValue: group(name), defaultDecision: 'required' as const,
      allowedDeviceTypes: allowed, minDevices, requireCertifiedKey, deadline: new Date(Date.now() + 30 * 86_400_000), cohort: name, updatedBy: 'test',
    });
    await db.insert(programCategories).values([
      category('ops1', 1, ['hardware', 'fido'], 1),
      category('ops2', 2, ['hardware', 'fido'], 2),
      category('keys', 3, ['fido'], 1, true),
    ]);

    const started = await startRefresh({ actor: 'test', trigger: 'manual' }, { accountIds: [A], listAllDevices: false });
    if (!started.started) throw new Error('a run is already going');
    const run = (await waitForRun(started.runId))!;
    expect(run.status, run.error ?? '').toBe('succeeded');
    // Certifications were read for the FIDO keys of the "keys" category only (one each).
    expect(run.calls.GetMFADevice).toBe(2);

    const rows = await db
      .select({ userName: programUsers.userName, compliant: programUsers.compliant, gap: programUsers.programGap, devices: programUsers.devices })
      .from(programUsers)
      .where(and(eq(programUsers.accountId, A), inArray(programUsers.userName, [vh, vf, vff, passkey, certified])));
    const by = new Map(rows.map((r) => [r.userName, r]));
    expect(by.get(vh)).toMatchObject({ compliant: true, gap: null });
    expect(by.get(vh)!.devices.map((d) => d.type).sort()).toEqual(['hardware', 'virtual']);
    expect(by.get(vf)).toMatchObject({ compliant: false, gap: 'needs-backup' });
    expect(by.get(vff)).toMatchObject({ compliant: true, gap: null });
    expect(by.get(passkey)).toMatchObject({ compliant: false, gap: 'not-certified' });
    expect(by.get(passkey)!.devices.find((d) => d.type === 'fido')!.certifications).toEqual({});
    expect(by.get(certified)).toMatchObject({ compliant: true, gap: null });
    expect(by.get(certified)!.devices.find((d) => d.type === 'fido')!.certifications).toEqual({ 'FIPS-140-3': 'L2' });

    // The dashboard says when the program changed after the run started (device facts may then be inexact).
    expect((await getDashboard(admin, [])).programChangedSinceRun).toBe(false);
    await db.insert(programDecisions).values({ accountId: A, userName: vh, categoryId: null, decision: 'out-of-scope', reason: 'leaving on Friday', decidedBy: 'test' });
    expect((await getDashboard(admin, [])).programChangedSinceRun).toBe(true);
    await db.delete(programDecisions).where(eq(programDecisions.userName, vh));
    expect((await getDashboard(admin, [])).programChangedSinceRun).toBe(false);
    await db.update(programCategories).set({ minDevices: 1 }).where(eq(programCategories.name, 'ops2'));
    expect((await getDashboard(admin, [])).programChangedSinceRun).toBe(true);
  }, 120_000);
});
