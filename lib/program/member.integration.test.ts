import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserCommand, ListMFADevicesCommand, ListVirtualMFADevicesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { deleteVirtualDevices, removeTestUser } from '@/test-support/iam-cleanup';
import { consoleIam, registerFidoKey } from '@/infra/local/console';
import { toMfaDevice } from '@/lib/aws/mfa-devices';
import { readGroundTruth, readHardwareTokens, type HardwareToken } from '@/infra/local/ground-truth';
import { consecutiveCodes } from '@/infra/local/totp';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { auditLog, programCategories, programDecisions, type DeviceType } from '@/lib/db/schema';
import { deviceTypeNoun } from '@/lib/device-types';
import { listUserEvents } from '@/lib/enrollment/events';
import { completeVirtualEnrollment, startVirtualEnrollment } from '@/lib/enrollment/virtual';
import { enrollHardwareToken } from '@/lib/enrollment/hardware';
import { checkForNewFidoKey, startFidoEnrollment } from '@/lib/enrollment/fido';
import type { Actor } from '@/lib/auth/types';
import { getProgramFor } from './member';

const ACCOUNT = '222222222222';
const MUTATING = ['CreateVirtualMFADevice', 'EnableMFADevice', 'ListMFADevices', 'DeleteVirtualMFADevice'];
let iam: IAMClient;
let endpoint: string;
let hardwareTokensFile: string;
let groundTruthFile: string;
let motoUrl: string;
const created: string[] = [];

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  endpoint = stack.awsEndpoint;
  hardwareTokensFile = stack.hardwareTokensFile;
  groundTruthFile = stack.groundTruthFile;
  motoUrl = stack.motoUrl;
  resetAwsClients();
  iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth });
});

afterEach(async () => {
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  await deleteVirtualDevices(iam, await virtualDevicesOf(...created));
  for (const u of created) await removeTestUser(iam, u);
  iam.destroy();
});

/** Every virtual device in the account, assigned or not, whose serial names one of these users (the portal's path). */
async function virtualDevicesOf(...userNames: string[]): Promise<string[]> {
  const out = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any', MaxItems: 1000 }));
  return (out.VirtualMFADevices ?? []).map((d) => d.SerialNumber!).filter((s) => userNames.some((u) => s.includes(`/${u}/`)));
}

/** The devices IAM has enabled for this user (virtual, hardware and FIDO alike). */
async function enabledSerials(userName: string): Promise<string[]> {
  return ((await iam.send(new ListMFADevicesCommand({ UserName: userName }))).MFADevices ?? []).map((d) => d.SerialNumber!);
}

/**
 * A token from the local stock that no seeded user holds, taken from the end of the list (other files take the
 * first). AWS accepts it with its codes, so only the portal's own check can stop an enrollment with it.
 */
async function spareHardwareToken(): Promise<HardwareToken> {
  const truth = await readGroundTruth(groundTruthFile);
  const held = new Set(truth.users.flatMap((u) => u.devices.map((d) => d.serial)));
  const token = (await readHardwareTokens(hardwareTokensFile)).filter((t) => !t.userName && !held.has(t.serial)).at(-1);
  if (!token) throw new Error('the local stock has no spare hardware token');
  return token;
}

const codesOf = (token: HardwareToken) => {
  const { AuthenticationCode1: code1, AuthenticationCode2: code2 } = consecutiveCodes(token.secretBase32);
  return { serial: token.serial, code1, code2 };
};

/** A fresh IAM user under its own path, so that a path selector captures it and nobody else. */
async function newActor(): Promise<{ actor: Actor; path: string }> {
  const hex = randomBytes(3).toString('hex');
  const userName = `it-program-${hex}`;
  const path = `/it-program-${hex}/`;
  await iam.send(new CreateUserCommand({ UserName: userName, Path: path }));
  created.push(userName);
  const principal = { accountId: ACCOUNT, userName, arn: `arn:aws:iam::${ACCOUNT}:user${path}${userName}` };
  return { actor: { id: principal.arn, email: null, name: userName, method: 'aws-keys', roles: ['member'], principals: [principal], authTime: 0 }, path };
}

async function insertCategory(name: string, selector: { kind: 'path' | 'account'; value: string }, allowed: DeviceType[], minDevices = 1) {
  const db = await getDb();
  const [row] = await db
    .insert(programCategories)
    .values({
      name,
      position: 0,
      selectorKind: selector.kind,
      selectorValue: selector.value,
      defaultDecision: 'required',
      allowedDeviceTypes: allowed,
      minDevices,
      deadline: new Date(Date.now() + 12 * 86_400_000),
      cohort: 'it',
      updatedBy: 'member.integration.test',
    })
    .returning();
  return row!;
}

/** Tripwires in the proxy: a zero-latency rule per operation, whose count drops only if the portal calls it. */
async function armTripwires() {
  const res = await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify(MUTATING.map((action) => ({ action, kind: 'latency', latencyMs: 0, times: 1000 }))) });
  expect(res.ok).toBe(true);
}

async function untouched(): Promise<string[]> {
  const { rules } = (await (await fetch(`${endpoint}/_local/faults`)).json()) as { rules: { action: string; times: number }[] };
  return rules.filter((r) => r.times === 1000).map((r) => r.action);
}

describe('device types a category does not allow', () => {
  it('refuses virtual and FIDO before any AWS call, audits it, creates nothing in IAM, and lets hardware through', async () => {
    const { actor, path } = await newActor();
    const principal = actor.principals[0]!;
    await insertCategory(`Hardware only ${path}`, { kind: 'path', value: path }, ['hardware']);
    await armTripwires();

    const virtual = await startVirtualEnrollment(actor, principal, { deviceName: 'phone' });
    expect(virtual).toMatchObject({ status: 'error', code: 'DeviceTypeNotAllowed', message: expect.stringContaining(`“Hardware only ${path}”`) });
    expect(await startFidoEnrollment(actor, principal)).toMatchObject({ status: 'error', code: 'DeviceTypeNotAllowed' });
    expect(await checkForNewFidoKey(actor, principal, [])).toMatchObject({ status: 'error', code: 'DeviceTypeNotAllowed' });

    expect((await untouched()).sort()).toEqual([...MUTATING].sort());
    expect(await virtualDevicesOf(principal.userName)).toEqual([]);

    const db = await getDb();
    const denied = await db
      .select({ action: auditLog.action, target: auditLog.target, detail: auditLog.detail })
      .from(auditLog)
      .where(and(eq(auditLog.actor, actor.id), eq(auditLog.outcome, 'denied')));
    expect(denied.map((d) => d.action).sort()).toEqual(['enrollment.fido.check', 'enrollment.fido.start', 'enrollment.virtual.start']);
    for (const d of denied) {
      expect(d.target).toBe(`arn:aws:iam::${ACCOUNT}:user/${principal.userName}`);
      expect(d.detail).toMatchObject({ reason: 'DeviceTypeNotAllowed' });
    }
    expect(await listUserEvents(principal)).toEqual([
      expect.objectContaining({ kind: 'virtual.created', outcome: 'failure', reason: 'DeviceTypeNotAllowed', deviceType: 'virtual', serial: null }),
    ]);

    // Hardware passes the program and reaches AWS, which does not know this serial.
    const hardware = await enrollHardwareToken(actor, principal, { serial: 'GAHT99999999998', code1: '123456', code2: '654321' });
    expect(hardware).toMatchObject({ status: 'error', code: 'NoSuchEntity' });
  });

  it('refuses hardware in a virtual-only or FIDO-only category before any AWS call, with a clear message, and enables nothing', async () => {
    const token = await spareHardwareToken();
    const cases: { allowed: DeviceType[]; actor: Actor; path: string; categoryId: number }[] = [];
    for (const allowed of [['virtual'], ['fido']] as DeviceType[][]) {
      const { actor, path } = await newActor();
      const category = await insertCategory(`No tokens ${path}`, { kind: 'path', value: path }, allowed);
      cases.push({ allowed, actor, path, categoryId: category.id });
    }
    await armTripwires();

    for (const { allowed, actor, path } of cases) {
      // Valid codes of a token AWS knows: without the program's check this would enable it.
      const refused = await enrollHardwareToken(actor, actor.principals[0]!, codesOf(token));
      expect(refused, allowed.join()).toEqual({
        status: 'error',
        code: 'DeviceTypeNotAllowed',
        message: `The category “No tokens ${path}” does not allow a hardware TOTP token. Allowed: ${deviceTypeNoun[allowed[0]!]}.`,
      });
    }
    // Not even ListMFADevices, let alone EnableMFADevice, was called.
    expect((await untouched()).sort()).toEqual([...MUTATING].sort());
    await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });

    const db = await getDb();
    for (const { actor } of cases) {
      const principal = actor.principals[0]!;
      expect(await enabledSerials(principal.userName)).toEqual([]);
      const denied = await db.select({ action: auditLog.action, target: auditLog.target, detail: auditLog.detail }).from(auditLog).where(eq(auditLog.actor, actor.id));
      expect(denied).toEqual([
        { action: 'enrollment.hardware', target: `arn:aws:iam::${ACCOUNT}:user/${principal.userName}`, detail: { reason: 'DeviceTypeNotAllowed', deviceType: 'hardware' } },
      ]);
      // A refusal is not a failed code attempt: nothing counts towards the code-attempt limit.
      expect(await listUserEvents(principal)).toEqual([]);
    }

    // The same token and fresh codes go through once the category is gone: the refusal was the program's alone.
    const [first] = cases;
    await db.delete(programCategories).where(eq(programCategories.id, first!.categoryId));
    const enrolled = await enrollHardwareToken(first!.actor, first!.actor.principals[0]!, codesOf(token));
    expect(enrolled).toMatchObject({ status: 'success', data: { serial: token.serial } });
    expect(await enabledSerials(first!.actor.principals[0]!.userName)).toEqual([token.serial]);
  });

  it('allows virtual once an override moves the user to a category that allows it, and re-checks before enabling', async () => {
    const { actor, path } = await newActor();
    const principal = actor.principals[0]!;
    await insertCategory(`Hardware only ${path}`, { kind: 'path', value: path }, ['hardware']);
    const apps = await insertCategory(`Apps ${path}`, { kind: 'account', value: '000000000000' }, ['virtual', 'hardware'], 2);
    const db = await getDb();
    await db.insert(programDecisions).values({ accountId: ACCOUNT, userName: principal.userName, categoryId: apps.id, decidedBy: 'member.integration.test' });

    const [status] = await getProgramFor([{ principal, consoleAccess: true, devices: [] }]);
    expect(status).toMatchObject({ categorySource: 'override', allowedDeviceTypes: ['virtual', 'hardware'], minDevices: 2, programGap: 'no-mfa' });
    expect(status!.category?.name).toBe(`Apps ${path}`);

    const started = await startVirtualEnrollment(actor, principal, { deviceName: 'phone' });
    if (started.status !== 'success') throw new Error(`start failed: ${JSON.stringify(started)}`);
    expect(await virtualDevicesOf(principal.userName)).toHaveLength(1);
    expect(await startFidoEnrollment(actor, principal)).toMatchObject({ code: 'DeviceTypeNotAllowed' });

    // The override is withdrawn between the two steps: completing is refused and the pending device is deleted.
    await db.delete(programDecisions).where(and(eq(programDecisions.accountId, ACCOUNT), eq(programDecisions.userName, principal.userName)));
    const completed = await completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1: '000000', code2: '111111' });
    expect(completed).toMatchObject({ done: true, result: { status: 'error', code: 'DeviceTypeNotAllowed' } });
    expect(await virtualDevicesOf(principal.userName)).toEqual([]);
  });

  it('without a matching category every type is allowed', async () => {
    const { actor } = await newActor();
    const [status] = await getProgramFor([{ principal: actor.principals[0]!, consoleAccess: true, devices: [] }]);
    expect(status).toMatchObject({ category: null, allowedDeviceTypes: ['virtual', 'hardware', 'fido'] });
    const fido = await startFidoEnrollment(actor, actor.principals[0]!);
    expect(fido).toMatchObject({ status: 'success', data: { baseline: [] } });
  });
});

describe('a category that counts only certified security keys', () => {
  it("the member's own page reads the certifications of their keys (GetMFADevice): a certified key counts, a passkey does not", async () => {
    const { actor, path } = await newActor();
    const principal = actor.principals[0]!;
    const db = await getDb();
    const [row] = await db
      .insert(programCategories)
      .values({
        name: `Certified ${path}`, position: 0, selectorKind: 'path', selectorValue: path, defaultDecision: 'required', allowedDeviceTypes: ['fido'],
        minDevices: 1, requireCertifiedKey: true, deadline: new Date(Date.now() + 12 * 86_400_000), cohort: 'it', updatedBy: 'member.integration.test',
      })
      .returning();
    try {
      const truth = await readGroundTruth(groundTruthFile);
      const passkey = await registerFidoKey({ motoUrl, accountId: ACCOUNT, userName: principal.userName, name: 'Passkey', groundTruth: truth });
      const listed = (serials: string[]) => serials.map((serial) => toMfaDevice(serial, new Date()));
      const [uncertified] = await getProgramFor([{ principal, consoleAccess: true, devices: listed([passkey]) }]);
      expect(uncertified).toMatchObject({ requireCertifiedKey: true, allowedDevices: 0, programGap: 'not-certified' });
      const key = await registerFidoKey({ motoUrl, accountId: ACCOUNT, userName: principal.userName, name: 'YubiKey', groundTruth: truth, certifications: { FIDO: 'L2' } });
      const [certified] = await getProgramFor([{ principal, consoleAccess: true, devices: listed([passkey, key]) }]);
      expect(certified).toMatchObject({ allowedDevices: 1, compliant: true, programGap: null });
    } finally {
      await db.delete(programCategories).where(eq(programCategories.id, row!.id));
    }
  });
});
