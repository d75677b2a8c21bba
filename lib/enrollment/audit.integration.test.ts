import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ListMFADevicesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { createTestActor, removeTestUsersAndSetups } from '@/test-support/iam-cleanup';
import { consoleIam } from '@/infra/local/console';
import { readGroundTruth, readHardwareTokens } from '@/infra/local/ground-truth';
import { consecutiveCodes } from '@/infra/local/totp';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { auditLog, type AuditEntry } from '@/lib/db/schema';
import { CONTROL_CHARACTER_MESSAGE } from '@/lib/actions/free-text';
import { verifyAuditChain } from '@/lib/audit/verify';
import type { Actor } from '@/lib/auth/types';
import { completeVirtualEnrollment, startVirtualEnrollment } from './virtual';
import { enrollHardwareToken } from './hardware';
import { recordConsoleTest, removeDevice, resyncDevice, testDeviceWithKeys } from './devices';
import { deactivateLostDevice } from './admin';
import { formatHourMinute } from '@/lib/format';

const ACCOUNT = '222222222222';
let iam: IAMClient;
let endpoint: string;
let stackFiles: { groundTruthFile: string; hardwareTokensFile: string };
const created: string[] = [];

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  endpoint = stack.awsEndpoint;
  stackFiles = stack;
  resetAwsClients();
  iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth });
});

afterEach(async () => {
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  await removeTestUsersAndSetups(iam, created);
  iam.destroy();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const newMember = async (prefix: string): Promise<Actor> => ({ ...(await createTestActor(iam, ACCOUNT, prefix, created)), authTime: nowSeconds() });
// Signed in just now: deactivating someone else's device needs a sign-in within the last 5 minutes.
const admin: Actor = { id: 'admin@example.com', email: 'admin@example.com', name: 'Admin', method: 'oidc', roles: ['admin', 'member'], principals: [], authTime: nowSeconds() };
const arnOf = (actor: Actor) => actor.principals[0]!.arn;

const enabledSerials = async (userName: string) => ((await iam.send(new ListMFADevicesCommand({ UserName: userName }))).MFADevices ?? []).map((d) => d.SerialNumber!);

/** The audit rows about this IAM user written after row `afterId`, oldest first. */
async function rowsFor(target: string, afterId = 0): Promise<AuditEntry[]> {
  const db = await getDb();
  return (await db.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.seq))).filter((r) => r.target === target);
}
const lastId = async () => (await (await getDb()).select({ n: sql<number>`coalesce(max(id), 0)::int` }).from(auditLog))[0]!.n;
const shape = (rows: AuditEntry[]) => rows.map((r) => [r.action, r.outcome, (r.detail.operation as string | undefined) ?? (r.detail.reason as string | undefined) ?? null]);

/** Every outcome row names the intent row just before it, with the same action. */
function expectPairs(rows: AuditEntry[]) {
  rows.forEach((r, i) => {
    if (r.outcome === 'intent') {
      const next = rows[i + 1]!;
      expect(next, `outcome after intent ${r.id}`).toMatchObject({ intentId: r.id, action: r.action, detail: expect.objectContaining({ operation: r.detail.operation }) });
      expect(['success', 'failure']).toContain(next.outcome);
    }
  });
}

/** A virtual device enrolled through the portal; returns its serial and secret. */
async function enrollVirtual(actor: Actor): Promise<{ serial: string; secret: string }> {
  const started = await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' });
  if (started.status !== 'success') throw new Error(`start failed: ${JSON.stringify(started)}`);
  const secret = started.data.manualKey.replace(/ /g, '');
  const codes = consecutiveCodes(secret);
  const { result } = await completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1: codes.AuthenticationCode1, code2: codes.AuthenticationCode2 });
  if (result.status !== 'success') throw new Error(`complete failed: ${JSON.stringify(result)}`);
  return { serial: result.data.serial, secret };
}

/** Tripwires in the proxy: a zero-latency rule per operation, whose count drops only if the portal calls it. */
async function armTripwires(actions: string[]) {
  const res = await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify(actions.map((action) => ({ action, kind: 'latency', latencyMs: 0, times: 1000 }))) });
  expect(res.ok).toBe(true);
}
async function untouched(): Promise<string[]> {
  const { rules } = (await (await fetch(`${endpoint}/_local/faults`)).json()) as { rules: { action: string; times: number }[] };
  return rules.filter((r) => r.times === 1000).map((r) => r.action).sort();
}

describe('every member enrollment step is in the audit log, AWS calls between an intent and an outcome row', () => {
  it('virtual: create and enable, each AWS call with intent + outcome, then the step', async () => {
    const actor = await newMember('aud-virtual');
    const since = await lastId();
    const { serial, secret } = await enrollVirtual(actor);
    const rows = await rowsFor(arnOf(actor), since);
    expect(shape(rows)).toEqual([
      ['enrollment.virtual.start', 'intent', 'iam:CreateVirtualMFADevice'],
      ['enrollment.virtual.start', 'success', 'iam:CreateVirtualMFADevice'],
      ['enrollment.virtual.start', 'success', null],
      ['enrollment.virtual.codes', 'success', 'accepted'],
      ['enrollment.virtual.complete', 'intent', 'iam:EnableMFADevice'],
      ['enrollment.virtual.complete', 'success', 'iam:EnableMFADevice'],
      ['enrollment.virtual.complete', 'success', null],
    ]);
    expectPairs(rows);
    expect(rows.every((r) => r.actor === actor.id)).toBe(true);
    expect(rows[2]!.detail).toMatchObject({ serial, deviceType: 'virtual' });
    // Nothing secret: no seed (nor the key URI that carries it), no code.
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/"(seed|seedBase32|code1|code2|manualKey|otpauthUri)"/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('otpauth:');
  });

  it('resync, console test, CLI test (refused keys) and removal', async () => {
    const actor = await newMember('aud-device');
    const { serial, secret } = await enrollVirtual(actor);
    const p = actor.principals[0]!;
    const since = await lastId();
    const codes = consecutiveCodes(secret, Date.now(), 1);
    // The phone's time, as the resync form asks for it (HH:MM in UTC here): right, so the resync goes ahead.
    const deviceTime = formatHourMinute(new Date());
    expect(await resyncDevice(actor, p, { serial, code1: codes.AuthenticationCode1, code2: codes.AuthenticationCode2, deviceTime, utcOffsetMinutes: 0 })).toMatchObject({ status: 'success' });
    expect(await recordConsoleTest(actor, p, { serial, outcome: 'failed', errorSeen: 'Your authentication information is incorrect' })).toMatchObject({ status: 'success' });
    // Keys that are not this user's: refused before any session token is asked for.
    const cli = await testDeviceWithKeys(actor, p, { serial, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', code: '123456' });
    expect(cli).toMatchObject({ status: 'error', code: expect.stringMatching(/^(InvalidKeys|KeysNotThisUser)$/) });
    const cliReason = cli.status === 'error' ? cli.code : '';
    expect(await removeDevice(actor, p, { serial })).toMatchObject({ status: 'success' });
    const rows = await rowsFor(arnOf(actor), since);
    expect(shape(rows)).toEqual([
      ['device.resync', 'intent', 'iam:ResyncMFADevice'],
      ['device.resync', 'success', 'iam:ResyncMFADevice'],
      ['device.resync', 'success', null],
      ['device.test-console', 'failure', 'ConsoleSignInFailed'],
      ['device.test-cli', 'failure', cliReason],
      ['device.remove', 'intent', 'iam:DeactivateMFADevice'],
      ['device.remove', 'success', 'iam:DeactivateMFADevice'],
      ['device.remove', 'intent', 'iam:DeleteVirtualMFADevice'],
      ['device.remove', 'success', 'iam:DeleteVirtualMFADevice'],
      ['device.remove', 'success', null],
    ]);
    expectPairs(rows);
    expect(rows[3]!.detail).toMatchObject({ errorSeen: 'Your authentication information is incorrect' });
    expect(JSON.stringify(rows)).not.toContain('wJalrXUtnFEMI');
  });

  it('hardware: a refused enable has its intent, its failure outcome with the AWS reason, and the failed step', async () => {
    const actor = await newMember('aud-hw');
    const truth = await readGroundTruth(stackFiles.groundTruthFile);
    const held = new Set(truth.users.flatMap((u) => u.devices.map((d) => d.serial)));
    const token = (await readHardwareTokens(stackFiles.hardwareTokensFile)).filter((t) => !t.userName && !held.has(t.serial)).at(-2)!;
    const since = await lastId();
    expect(await enrollHardwareToken(actor, actor.principals[0]!, { serial: token.serial, code1: '000000', code2: '000001' })).toMatchObject({ status: 'error', code: 'InvalidAuthenticationCode' });
    const rows = await rowsFor(arnOf(actor), since);
    expect(shape(rows)).toEqual([
      ['enrollment.hardware', 'intent', 'iam:EnableMFADevice'],
      ['enrollment.hardware', 'failure', 'iam:EnableMFADevice'],
      ['enrollment.hardware', 'failure', 'InvalidAuthenticationCode'],
    ]);
    expect(rows[1]!.detail).toMatchObject({ reason: 'InvalidAuthenticationCode', serial: token.serial });
    expectPairs(rows);
  });

  it('the chain holds after all of it', async () => {
    expect(await verifyAuditChain(await getDb())).toMatchObject({ ok: true });
  });
});

describe('nothing happens in AWS unless its intent is on record', () => {
  it('an admin\'s lost-device deactivation with a NUL byte in its reason is refused with a field error: the device stays, nothing is audited as done', async () => {
    const member = await newMember('aud-nul');
    const { serial } = await enrollVirtual(member);
    const target = { accountId: ACCOUNT, userName: member.principals[0]!.userName };
    const since = await lastId();
    await armTripwires(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
    const result = await deactivateLostDevice(admin, target, { serial, reason: 'phone lost\u0000 on the train' });
    expect(result).toEqual({ status: 'invalid', fieldErrors: { reason: [CONTROL_CHARACTER_MESSAGE] }, message: 'Check the highlighted fields.' });
    expect(await untouched()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
    expect(await enabledSerials(target.userName)).toEqual([serial]);
    expect(await rowsFor(arnOf(member), since)).toEqual([]);

    // The same deactivation with a clean reason goes through, the reason on the intent row before the call.
    expect(await deactivateLostDevice(admin, target, { serial, reason: 'phone lost on the train' })).toMatchObject({ status: 'success' });
    expect(await enabledSerials(target.userName)).toEqual([]);
    const rows = await rowsFor(arnOf(member), since);
    expect(rows[0]).toMatchObject({ action: 'device.deactivate-lost', outcome: 'intent', actor: admin.id, detail: { reason: 'phone lost on the train', serial, operation: 'iam:DeactivateMFADevice' } });
    expectPairs(rows);
  });

  it('when the intent row cannot be written, the AWS call is not made', async () => {
    const member = await newMember('aud-down');
    const { serial } = await enrollVirtual(member);
    const db = await getDb();
    // The log refuses intent rows (as a full disk or a lost connection would make it fail).
    await db.execute(sql`CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END; $$`);
    await db.execute(sql`CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.outcome = 'intent') EXECUTE FUNCTION audit_test_refuse()`);
    try {
      await armTripwires(['DeactivateMFADevice', 'DeleteVirtualMFADevice', 'ResyncMFADevice']);
      const removed = await removeDevice(member, member.principals[0]!, { serial }).catch((e: Error) => e);
      expect(removed).not.toMatchObject({ status: 'success' });
      const deactivated = await deactivateLostDevice(admin, { accountId: ACCOUNT, userName: member.principals[0]!.userName }, { serial, reason: 'phone lost on the train' }).catch((e: Error) => e);
      expect(deactivated).not.toMatchObject({ status: 'success' });
      expect(await untouched()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice', 'ResyncMFADevice']);
      expect(await enabledSerials(member.principals[0]!.userName)).toEqual([serial]);
    } finally {
      await db.execute(sql`DROP TRIGGER audit_test_refuse ON audit_log`);
      await db.execute(sql`DROP FUNCTION audit_test_refuse()`);
    }
    const rows = await db.select().from(auditLog).where(eq(auditLog.target, arnOf(member)));
    expect(rows.filter((r) => r.detail.operation === 'iam:DeactivateMFADevice')).toEqual([]);
  });
});
