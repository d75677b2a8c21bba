import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { asc, eq, inArray } from 'drizzle-orm';
import { CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, ListAttachedUserPoliciesCommand, ListMFADevicesCommand, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { A, admin, category, GROUP, inventory, setUpEnforcementStack, stack } from '@/test-support/enforcement-stack';
import { createTestActor } from '@/test-support/iam-cleanup';
import { capturedEmailsTo } from '@/test-support/ses';
import { setTestEnv } from '@/test-support/env';
import { consecutiveCodes } from '@/infra/local/totp';
import { auditLog, recoveryRequests, userWindows } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { closeWindowsOnEnrollment } from '@/lib/windows/apply';
import { windowPolicyName } from '@/lib/windows/policy';
import { approveRecovery, rejectRecovery } from './decide';
import { cancelRecovery, reportLostDevice } from './report';
import { getRecovery, listOwnRecoveries } from './queries';
import { getRecoverySettings } from './settings';

// A lost-device recovery against the local stack: moto holds the device, PGlite the request, the window and the audit
// log; the member's notices go to moto's SES, the administrators' to a webhook on loopback.

const hooks: { text: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
// Before the stack setup reads the configuration (it is read once).
setTestEnv({ MFA_REMINDER_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/recovery` });
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

setUpEnforcementStack();
const iam = () => stack.iam[A]!;
const DAY = 86_400_000;
const motoUrl = inject('stack').motoUrl;
// After the stack's own beforeEach, which empties the program and the inventory: the users' category, due yesterday,
// so that a day of grace is later than their deadline.
beforeEach(() => category('recovery-wave', new Date(Date.now() - DAY), { kind: 'group', value: GROUP }));

const approver: Actor = { ...admin, id: 'carol@example.com', email: 'carol@example.com', name: 'Carol' };

/** A member (signed in with the company IdP as `email`) with one IAM user in account A holding one virtual device. */
async function memberWithDevice(prefix: string): Promise<{ member: Actor; serial: string }> {
  const keys = await createTestActor(iam(), A, prefix, stack.created[A]!);
  const userName = keys.principals[0]!.userName;
  const email = `${userName}@example.com`;
  const device = (await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: userName }))).VirtualMFADevice!;
  const seed = Buffer.from(device.Base32StringSeed!).toString('utf8');
  await iam().send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: device.SerialNumber!, ...consecutiveCodes(seed) }));
  await inventory(A, userName, { groups: [GROUP] });
  return { member: { ...keys, id: email, email, method: 'oidc' }, serial: device.SerialNumber! };
}

const enabled = async (userName: string) => ((await iam().send(new ListMFADevicesCommand({ UserName: userName }))).MFADevices ?? []).map((d) => d.SerialNumber);
const virtualExists = async (serial: string) => ((await iam().send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? []).some((d) => d.SerialNumber === serial);
const attached = async (userName: string) => ((await iam().send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? []).map((p) => p.PolicyName);
const allChecks = async () => (await getRecoverySettings(stack.db)).checklist;
const audited = async (requestId: number, actions: string[]) =>
  (await stack.db.select().from(auditLog).where(inArray(auditLog.action, actions)).orderBy(asc(auditLog.id))).filter((r) => r.detail.requestId === requestId);

async function reported(prefix: string) {
  const { member, serial } = await memberWithDevice(prefix);
  const p = member.principals[0]!;
  const result = await reportLostDevice(member, p, { serial, what: 'lost', note: 'left it on the train' });
  if (result.status !== 'success') throw new Error(`report failed: ${JSON.stringify(result)}`);
  return { member, serial, userName: p.userName, id: result.data.id };
}

describe('lost-device recovery', () => {
  it('a report changes nothing in AWS, is audited, told to the member and the admins, and only one is open per IAM user', async () => {
    hooks.length = 0;
    const { member, serial, userName, id } = await reported('rec-rep');
    expect(await enabled(userName)).toEqual([serial]);
    const [row] = await stack.db.select().from(recoveryRequests).where(eq(recoveryRequests.id, id));
    expect(row).toMatchObject({ status: 'reported', reportedBy: member.id, deviceSerial: serial, deviceType: 'virtual', what: 'lost', note: 'left it on the train' });
    expect(await audited(id, ['recovery.report'])).toMatchObject([{ actor: member.id, outcome: 'success' }]);
    expect((await capturedEmailsTo(motoUrl, member.email!)).map((m) => m.subject)).toContain(`Your lost-device report for ${userName} was received`);
    expect(hooks.map((h) => h.text).join('\n')).toContain(`Lost-device report: ${userName} (${A})`);
    expect(await reportLostDevice(member, member.principals[0]!, { serial, what: 'broken' })).toMatchObject({ status: 'error', code: 'AlreadyOpen' });
    // Another person's IAM user cannot be named, whatever the form says.
    const other = await memberWithDevice('rec-oth');
    expect(await reportLostDevice(other.member, member.principals[0]!, { serial, what: 'lost' })).toMatchObject({ status: 'error', code: 'NotYourIamUser' });
    // The member withdraws it; then a new report is possible.
    expect(await cancelRecovery(member, id)).toMatchObject({ status: 'success' });
    expect(await reportLostDevice(member, member.principals[0]!, { serial, what: 'broken' })).toMatchObject({ status: 'success' });
  }, 60_000);

  it('reject touches nothing in AWS and tells the member why', async () => {
    const { member, serial, userName, id } = await reported('rec-rej');
    const result = await rejectRecovery(approver, { id, reason: 'Could not reach the person by phone' });
    expect(result).toMatchObject({ status: 'success' });
    expect(await enabled(userName)).toEqual([serial]);
    expect(await virtualExists(serial)).toBe(true);
    expect(await audited(id, ['recovery.deactivate'])).toEqual([]);
    expect(await stack.db.select().from(userWindows).where(eq(userWindows.userName, userName))).toEqual([]);
    expect(await attached(userName)).toEqual([]);
    expect((await listOwnRecoveries(member))[0]).toMatchObject({ id, state: 'rejected', rejectReason: 'Could not reach the person by phone' });
    expect((await capturedEmailsTo(motoUrl, member.email!)).map((m) => m.subject)).toContain(`Lost-device report for ${userName} not approved`);
    expect(await approveRecovery(approver, { id, checked: await allChecks() })).toMatchObject({ status: 'error', code: 'NotOpen' });
  }, 60_000);

  it('the reporter, or an owner of the IAM user, may not approve; nor may anyone without every check ticked', async () => {
    const { member, serial, userName, id } = await reported('rec-self');
    const selfAdmin: Actor = { ...member, roles: ['member', 'admin'] };
    expect(await approveRecovery(selfAdmin, { id, checked: await allChecks() })).toMatchObject({ status: 'error', code: 'SelfApproval' });
    const ownerAdmin: Actor = { ...approver, id: 'owner@example.com', email: 'owner@example.com', principals: member.principals };
    expect(await approveRecovery(ownerAdmin, { id, checked: await allChecks() })).toMatchObject({ status: 'error', code: 'OwnIamUser' });
    expect(await approveRecovery(approver, { id, checked: (await allChecks()).slice(1) })).toMatchObject({ status: 'invalid' });
    expect(await enabled(userName)).toEqual([serial]);
    expect((await audited(id, ['recovery.approve'])).map((r) => [r.actor, r.outcome, r.detail.reason])).toEqual([
      [member.id, 'denied', 'SelfApproval'],
      ['owner@example.com', 'denied', 'OwnIamUser'],
    ]);
    expect((await stack.db.select().from(recoveryRequests).where(eq(recoveryRequests.id, id)))[0]!.status).toBe('reported');
  }, 60_000);

  it('approval deactivates and deletes the device in IAM and opens the grace window; a second approval is refused; enrollment ends the grace', async () => {
    const { member, serial, userName, id } = await reported('rec-ok');
    hooks.length = 0;
    const before = Date.now();
    const [first, second] = await Promise.all([approveRecovery(approver, { id, checked: await allChecks() }), approveRecovery(approver, { id, checked: await allChecks() })]);
    const results = [first, second].map((r) => (r.status === 'error' ? r.code : r.status)).sort();
    expect(results).toEqual(['NotOpen', 'success']);
    expect(await enabled(userName)).toEqual([]);
    expect(await virtualExists(serial)).toBe(false);

    const [window] = await stack.db.select().from(userWindows).where(eq(userWindows.userName, userName));
    expect(window).toMatchObject({ kind: 'grace', status: 'active', recoveryId: id });
    const hours = (window!.endsAt.getTime() - before) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    // IAM enforces the grace: the window policy of that end is attached to the user.
    expect(await attached(userName)).toEqual([windowPolicyName('MfaPortalEnforcement', window!.endsAt)]);
    const view = await getRecovery(approver, id);
    expect(view).toMatchObject({ state: 'approved', windowId: window!.id, graceEndsAt: window!.endsAt, decidedBy: approver.id });
    expect(view!.checklist.map((c) => c.item)).toEqual(await allChecks());
    // Each AWS call between an intent row and its outcome.
    expect((await audited(id, ['recovery.deactivate'])).map((r) => [r.outcome, r.detail.operation])).toEqual([
      ['intent', 'iam:DeactivateMFADevice'],
      ['success', 'iam:DeactivateMFADevice'],
      ['intent', 'iam:DeleteVirtualMFADevice'],
      ['success', 'iam:DeleteVirtualMFADevice'],
    ]);
    expect((await audited(id, ['recovery.approve'])).map((r) => r.outcome)).toEqual(['intent', 'success']);
    expect((await capturedEmailsTo(motoUrl, member.email!)).map((m) => m.subject).some((s) => s.startsWith(`Enroll a new MFA device for ${userName} before`))).toBe(true);
    expect(hooks.map((h) => h.text).join('\n')).toContain(`Lost device deactivated: ${userName}`);
    expect(await approveRecovery(approver, { id, checked: await allChecks() })).toMatchObject({ status: 'error', code: 'NotOpen' });

    expect(await closeWindowsOnEnrollment(A, userName)).toMatchObject({ status: 'success', data: { closed: true } });
    expect(await attached(userName)).toEqual([]);
    expect((await listOwnRecoveries(member))[0]).toMatchObject({ id, state: 'completed' });
  }, 90_000);
});
