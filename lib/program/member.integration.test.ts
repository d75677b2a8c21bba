import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserCommand, ListVirtualMFADevicesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { deleteVirtualDevices, removeTestUser } from '@/test-support/iam-cleanup';
import { consoleIam } from '@/infra/local/console';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { auditLog, programCategories, programDecisions, type DeviceType } from '@/lib/db/schema';
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
const created: string[] = [];

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  endpoint = stack.awsEndpoint;
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
