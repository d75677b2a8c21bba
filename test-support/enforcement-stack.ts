import { afterAll, beforeAll, beforeEach } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { CreateGroupCommand, type IAMClient } from '@aws-sdk/client-iam';
import { consoleIam } from '@/infra/local/console';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, inventoryUsers, programCategories, programDecisions } from '@/lib/db/schema';
import type { Actor, Role } from '@/lib/auth/types';
import { classify } from '@/lib/inventory/classify';
import { toRow } from '@/lib/inventory/store';
import { userArn } from '@/lib/iam-identifiers';
import { deleteEnforcedGroup, deleteEnforcementPolicy, ENFORCED_GROUP, enforcementPolicyArn, policyVersions } from './enforcement-iam';
import { removeTestUser } from './iam-cleanup';
import { useLocalStack } from './stack';

// The shared setup of lib/enforcement's integration tests (deploy, tags, rollback) against the local stack: moto keeps
// five policy versions like IAM. Everything a file creates is removed after it: the seed tests assert the organisation
// exactly.
export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const GROUP = ENFORCED_GROUP;
export const POLICY = enforcementPolicyArn;
const actor = (roles: Role[]): Actor => ({ id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles, principals: [], authTime: 0 });
export const security = actor(['member', 'admin', 'security']);
export const admin = actor(['member', 'admin']);

/** Filled in by setUpEnforcementStack's beforeAll: the database, the portal's IAM user, a console client per account, and the users a test created there. */
export const stack = { db: undefined as unknown as Db, portalUser: '', iam: {} as Record<string, IAMClient>, created: { [A]: [], [B]: [] } as Record<string, string[]> };

/**
 * Registers the file's hooks: the enforced group in A and B (C has none) before the tests, an empty program and
 * inventory before each, and afterwards the created users, the group and the policy (in every managed account) removed.
 */
export function setUpEnforcementStack() {
  beforeAll(async () => {
    const { stack: local, groundTruth } = await useLocalStack();
    stack.db = await getDb();
    stack.portalUser = groundTruth.portal.userName;
    for (const account of [A, B, C]) stack.iam[account] = await consoleIam({ motoUrl: local.motoUrl, accountId: account, groundTruth });
    for (const account of [A, B]) await stack.iam[account]!.send(new CreateGroupCommand({ GroupName: GROUP }));
  });

  beforeEach(async () => {
    await stack.db.delete(programDecisions);
    await stack.db.delete(programCategories);
    await stack.db.delete(inventoryUsers);
  });

  afterAll(async () => {
    for (const account of [A, B]) {
      const client = stack.iam[account]!;
      await deleteEnforcedGroup(client, stack.created[account]!);
      for (const name of stack.created[account]!) await removeTestUser(client, name);
      stack.created[account] = [];
    }
    // The policy exists in every managed account, also the one without the group.
    for (const account of [A, B, C]) await deleteEnforcementPolicy(stack.iam[account]!, account);
    for (const client of Object.values(stack.iam)) client.destroy();
  });
}

/** Stores an inventory row for the user (in the enforced group, no tags, no devices unless said otherwise). */
export async function inventory(account: string, userName: string, p: { groups?: string[]; tags?: Record<string, string>; devices?: number; accessKeyLastUsed?: Date } = {}) {
  const row = toRow(
    classify({
      accountId: account, userName, arn: userArn(account, userName), path: '/', createdAt: null, tags: p.tags ?? {}, groups: p.groups ?? [GROUP],
      consoleAccess: true, passwordLastUsed: undefined, accessKeyLastUsed: p.accessKeyLastUsed ?? null,
      devices: Array.from({ length: p.devices ?? 0 }, (_, i) => ({ serial: `GAHT0000000${i}`, type: 'hardware' as const, name: `t${i}`, enabledAt: null })),
      leftoverDevices: [],
    }),
    'inventory', null, new Date(),
  );
  await stack.db.insert(inventoryUsers).values(row).onConflictDoUpdate({ target: [inventoryUsers.accountId, inventoryUsers.userName], set: { groups: row.groups, tags: row.tags, devices: row.devices, mfaState: row.mfaState, accessKeyLastUsed: row.accessKeyLastUsed } });
}

/** A category (its own cohort) due on `deadline`, of account A unless another selector is given. */
export async function category(cohort: string, deadline: Date, selector: { kind: 'account' | 'group'; value: string } = { kind: 'account', value: A }) {
  await stack.db.delete(programCategories).where(eq(programCategories.cohort, cohort));
  await stack.db.insert(programCategories).values({ name: cohort, position: 1, selectorKind: selector.kind, selectorValue: selector.value, defaultDecision: 'required', allowedDeviceTypes: ['virtual', 'hardware', 'fido'], minDevices: 1, deadline, cohort, updatedBy: 'test' });
}

/** An account's retained versions, oldest first (version ids grow). */
export const versionsOf = (account: string) => policyVersions(stack.iam[account]!, account);
export const defaultVersions = async () => Promise.all([A, B, C].map(async (account) => (await versionsOf(account)).find((v) => v.isDefault)?.versionId ?? null));
export const lastAudit = async (action: string) => (await stack.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1))[0];
export const days = (n: number) => new Date(Date.UTC(2027, 0, 1) + n * 86_400_000);
