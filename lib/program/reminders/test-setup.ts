/**
 * Shared by the reminder integration tests: the local stack (moto SES behind the fidelity proxy), the database,
 * and a program of synthetic users that each test builds for itself and that goes again after it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { inventoryUsers, programCategories, programDecisions, programSettings, reminderSends, type DeviceType } from '@/lib/db/schema';
import { resetAwsClients } from '@/lib/aws/clients';
import { resetSesClient } from '@/lib/aws/ses';
import type { Actor } from '@/lib/auth/types';
import { userArn, virtualMfaArn } from '@/lib/iam-identifiers';
import { DAY_MS } from '../reminder-plan';
import type { ReminderOptions } from './config';

export const ACCOUNT = '222222222222';
export const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
export const member: Actor = { ...admin, id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', roles: ['member'] };
/** Email only (the stack's verified sender), whatever else is configured. */
export const emailOnly: ReminderOptions['config'] = { webhookUrl: null };

export type ReminderStack = { motoUrl: string; endpoint: string; db: Db };

/** Registers the file's hooks: the local stack before its tests starts (or is joined); after each test, faults and the test's data are cleared. */
export function reminderStack(): ReminderStack {
  const stack = {} as ReminderStack;
  beforeAll(async () => {
    const { stack: local } = await useLocalStack();
    resetAwsClients();
    resetSesClient();
    Object.assign(stack, { motoUrl: local.motoUrl, endpoint: local.awsEndpoint, db: await getDb() });
  });
  afterEach(async () => {
    await fetch(`${stack.endpoint}/_local/faults`, { method: 'DELETE' });
    // Each test's synthetic users and categories go, so later runs see only their own.
    await stack.db.delete(programDecisions);
    await stack.db.delete(programCategories);
    await stack.db.delete(inventoryUsers);
    await stack.db.delete(reminderSends);
    await stack.db.update(programSettings).set({ reminderDays: [14, 7, 1], escalateSteps: 1 });
  });
  return stack;
}

type UserSpec = { name: string; email?: string | null; devices?: DeviceType[]; consoleAccess?: boolean; tags?: Record<string, string> };

/** A category of its own group (so it selects only this test's users) and inventory rows as the inventory writes them. */
export async function program(on: Db, opts: { deadlineInDays: number; allowed?: DeviceType[]; minDevices?: number; users: UserSpec[] }) {
  const group = `reminders-it-${randomBytes(3).toString('hex')}`;
  const deadline = new Date(Date.now() + opts.deadlineInDays * DAY_MS);
  const [category] = await on
    .insert(programCategories)
    .values({
      name: `Reminder test ${group}`,
      position: 1,
      selectorKind: 'group',
      selectorValue: group,
      defaultDecision: 'required',
      allowedDeviceTypes: opts.allowed ?? ['virtual', 'hardware', 'fido'],
      minDevices: opts.minDevices ?? 1,
      deadline,
      cohort: 'reminders-it',
      updatedBy: 'test',
    })
    .returning({ id: programCategories.id });
  const suffix = randomBytes(3).toString('hex');
  const users = opts.users.map((u) => ({ ...u, userName: `${u.name}-${suffix}`, address: u.email === null ? null : (u.email ?? `${u.name}.${suffix}@example.com`) }));
  await on.insert(inventoryUsers).values(
    users.map((u) => ({
      accountId: ACCOUNT,
      userName: u.userName,
      arn: userArn(ACCOUNT, u.userName),
      path: '/',
      consoleAccess: u.consoleAccess ?? true,
      tags: { ...(u.address ? { email: u.address } : {}), ...u.tags },
      groups: [group],
      devices: (u.devices ?? []).map((type, i) => ({ serial: virtualMfaArn(ACCOUNT, `${u.userName}-${i}`), type, name: `${type}-${i}`, enabledAt: null })),
      mfaState: (u.devices?.length ? 'enabled' : 'none') as 'enabled' | 'none',
      source: 'inventory' as const,
    })),
  );
  const byName = Object.fromEntries(users.map((u) => [u.name, u]));
  return { categoryId: category!.id, deadline, users: byName };
}

export const sendsOf = (on: Db, userName: string) => on.select().from(reminderSends).where(and(eq(reminderSends.accountId, ACCOUNT), eq(reminderSends.userName, userName)));
