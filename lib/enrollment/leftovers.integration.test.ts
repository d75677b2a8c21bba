import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateVirtualMFADeviceCommand, ListVirtualMFADevicesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { createTestActor, deleteVirtualDevices, removeTestUser } from '@/test-support/iam-cleanup';
import { consoleIam } from '@/infra/local/console';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { enrollmentEvents } from '@/lib/db/schema';
import { startVirtualEnrollment } from './virtual';
import { sweepLeftovers } from './leftovers';

const ACCOUNT = '222222222222';
let iam: IAMClient;

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  resetAwsClients();
  iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth });
});

const created: string[] = [];
const strayDevices: string[] = [];

afterAll(async () => {
  // Leave the shared stack as seeded: other files assert the organisation exactly.
  const leftovers = (await unassigned()).filter((s) => created.some((u) => s.includes(`/${u}/`) || s.endsWith(`/${u}`)));
  for (const userName of created) await removeTestUser(iam, userName);
  await deleteVirtualDevices(iam, [...strayDevices, ...leftovers]);
  iam.destroy();
});

const newUser = (prefix: string) => createTestActor(iam, ACCOUNT, prefix, created);

async function unassigned(): Promise<string[]> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned', Marker: marker }));
    out.push(...(page.VirtualMFADevices ?? []).map((d) => d.SerialNumber!));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

describe('leftover virtual devices', () => {
  it('cleans up the console leftover that causes the EntityAlreadyExists loop, then enrolls', async () => {
    const actor = await newUser('loop');
    const p = actor.principals[0]!;
    const leftover = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: p.userName }))).VirtualMFADevice!.SerialNumber!;
    expect(await unassigned()).toContain(leftover);

    const started = await startVirtualEnrollment(actor, p, { deviceName: 'phone' });
    expect(started.status).toBe('success');
    expect(await unassigned()).not.toContain(leftover);
    const db = await getDb();
    const events = await db.select().from(enrollmentEvents).where(and(eq(enrollmentEvents.userName, p.userName), eq(enrollmentEvents.kind, 'leftover.deleted')));
    expect(events.map((e) => [e.serial, e.reason])).toEqual([[leftover, 'console-leftover']]);
  });

  it('a retry deletes the earlier unfinished setup of the same user', async () => {
    const actor = await newUser('retry');
    const p = actor.principals[0]!;
    const first = await startVirtualEnrollment(actor, p, { deviceName: 'phone' });
    const second = await startVirtualEnrollment(actor, p, { deviceName: 'phone' });
    expect(first.status === 'success' && second.status === 'success').toBe(true);
    expect((await unassigned()).filter((s) => s.includes(`/mfa-portal/${p.userName}/`))).toHaveLength(1);
  });

  it('the sweep deletes only the portal\'s own unassigned devices older than an hour', async () => {
    const old = await newUser('old');
    const fresh = await newUser('fresh');
    const other = await newUser('other');
    const oldSerial = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'x', Path: `/mfa-portal/${old.name}/` }))).VirtualMFADevice!.SerialNumber!;
    const started = await startVirtualEnrollment(fresh, fresh.principals[0]!, { deviceName: 'phone' });
    expect(started.status).toBe('success');
    const foreign = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${other.name}-kept` }))).VirtualMFADevice!.SerialNumber!;
    strayDevices.push(foreign);

    const results = await sweepLeftovers('test');
    const remaining = await unassigned();
    expect(remaining).not.toContain(oldSerial);
    expect(remaining.some((s) => s.includes(`/mfa-portal/${fresh.name}/`))).toBe(true);
    expect(remaining).toContain(foreign);
    expect(results.find((r) => r.accountId === ACCOUNT)!.deleted).toBeGreaterThanOrEqual(1);

    // An hour later the fresh one is old too.
    await sweepLeftovers('test', Date.now() + 61 * 60_000);
    expect((await unassigned()).some((s) => s.includes(`/mfa-portal/${fresh.name}/`))).toBe(false);
    expect(await unassigned()).toContain(foreign);
  });
});
