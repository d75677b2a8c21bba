import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { organizationsSettings, ROLELESS_ACCOUNT, SUSPENDED_ACCOUNT } from '@/infra/local/aws-organization';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { DEV_ACCOUNT, PROD_ACCOUNT, SECURITY_ACCOUNT } from '@/infra/local/organisation';
import type { Actor } from '@/lib/auth/types';
import { accountCredentials, resetAwsClients } from '@/lib/aws/clients';
import { discoverAccounts, discoverOrganizationAccounts, organizationsApi, type OrganizationsApi } from '@/lib/aws/organizations';
import { getDb } from '@/lib/db/client';
import { inventorySnapshots, inventoryUsers, managedAccounts } from '@/lib/db/schema';
import { startRefresh, waitForRun } from '@/lib/inventory/refresh';
import { setTestEnv } from '@/test-support/env';
import { useLocalStack } from '@/test-support/stack';
import { discoverIfNoneYet, syncManagedAccounts } from './discovery';
import { isManagedAccount, listManagedAccounts } from './registry';
import { getAccountsState } from './status';

/** The portal on the Organizations source, against moto's organisation (infra/local/aws-organization.ts) over HTTP. */
let gt: GroundTruth;
beforeAll(async () => {
  const { groundTruth } = await useLocalStack();
  gt = groundTruth;
  setTestEnv(organizationsSettings(groundTruth.organization!));
  resetAwsClients();
});

const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const DEMO = [PROD_ACCOUNT, DEV_ACCOUNT, SECURITY_ACCOUNT];

async function runToEnd() {
  const started = await startRefresh({ actor: 'test', trigger: 'manual' });
  if (!started.started) throw new Error(`a run is already going: ${started.runningRunId}`);
  return (await waitForRun(started.runId))!;
}

const storedAccounts = async () => {
  const rows = await (await getDb()).select({ accountId: inventoryUsers.accountId }).from(inventoryUsers);
  return [...new Set(rows.map((r) => r.accountId))].sort();
};

describe('accounts from AWS Organizations (local stack)', () => {
  it('lists the organisation through the read role: ACTIVE accounts in the included OUs, names from Organizations', async () => {
    const found = await discoverOrganizationAccounts();
    expect(found.map((a) => [a.id, a.name, a.state, a.selection])).toEqual([
      [PROD_ACCOUNT, 'Production', 'ACTIVE', 'managed'],
      [DEV_ACCOUNT, 'Development', 'ACTIVE', 'managed'],
      [SECURITY_ACCOUNT, 'Security', 'ACTIVE', 'managed'],
      [SUSPENDED_ACCOUNT.id, SUSPENDED_ACCOUNT.name, 'SUSPENDED', 'inactive'],
      [ROLELESS_ACCOUNT.id, ROLELESS_ACCOUNT.name, 'ACTIVE', 'managed'],
    ]);
    // Nothing discovered yet: no account is managed, until start-up (instrumentation-node.ts) discovers once.
    expect(await listManagedAccounts()).toEqual([]);
    const db = await getDb();
    expect((await discoverIfNoneYet(db))?.map((a) => a.id)).toEqual([PROD_ACCOUNT, DEV_ACCOUNT, SECURITY_ACCOUNT, ROLELESS_ACCOUNT.id]);
    expect(await isManagedAccount(DEV_ACCOUNT)).toBe(true);
    // Only the first time: later starts leave discovery to the inventory runs.
    expect(await discoverIfNoneYet(db, () => Promise.reject(new Error('not called')))).toBeNull();
  });

  it('an inventory run discovers first: the suspended account is not managed, the role-less one is unreachable (not 0 users)', async () => {
    const run = await runToEnd();
    expect(run.status).toBe('partial');
    expect(run.progress).toMatchObject({ accountsTotal: 4, accountsDone: 4 });
    expect(run.accounts.find((a) => a.accountId === ROLELESS_ACCOUNT.id)?.error).toMatch(/^AccessDenied/);

    expect(await listManagedAccounts()).toEqual([
      { id: PROD_ACCOUNT, label: 'Production' },
      { id: DEV_ACCOUNT, label: 'Development' },
      { id: SECURITY_ACCOUNT, label: 'Security' },
      { id: ROLELESS_ACCOUNT.id, label: ROLELESS_ACCOUNT.name },
    ]);
    expect(await isManagedAccount(SUSPENDED_ACCOUNT.id)).toBe(false);
    await expect(accountCredentials(SUSPENDED_ACCOUNT.id)).rejects.toThrow(/UnmanagedAccount/);
    const db = await getDb();
    const [suspended] = await db.select().from(managedAccounts).where(eq(managedAccounts.accountId, SUSPENDED_ACCOUNT.id));
    expect(suspended).toMatchObject({ status: 'inactive', organizationsState: 'SUSPENDED', lastManagedAt: null });
    // Each account's email in Organizations is kept: the default contact for escalated reminders.
    const [dev] = await db.select().from(managedAccounts).where(eq(managedAccounts.accountId, DEV_ACCOUNT));
    expect(dev!.email).toMatch(/^[^@\s]+@[^@\s]+$/);

    // The demo accounts' users, all of them; none for the account that could not be read.
    expect(await storedAccounts()).toEqual(DEMO);
    expect((await db.select().from(inventoryUsers)).length).toBe(gt.users.length);
    const [snapshot] = await db.select().from(inventorySnapshots).where(eq(inventorySnapshots.runId, run.id));
    expect(Object.keys(snapshot!.totals.byAccount as Record<string, unknown>).sort()).toEqual(DEMO);

    const state = await getAccountsState(admin);
    expect(state.unreachable).toEqual([{ id: ROLELESS_ACCOUNT.id, label: ROLELESS_ACCOUNT.name, reason: expect.stringMatching(/^AccessDenied/), checkedAt: expect.any(Date) }]);
    expect(state.former).toEqual([]);
  });

  it('an account filtered out at a later discovery stops being managed: its users leave the figures, its record stays', async () => {
    const db = await getDb();
    const excludeDev = () => discoverAccounts(organizationsApi(), {
      includeOus: [gt.organization!.ous.Workloads, gt.organization!.ous.Security],
      excludeOus: [],
      includeAccounts: [],
      excludeAccounts: [DEV_ACCOUNT],
    });
    expect((await syncManagedAccounts(db, excludeDev)).map((a) => a.id)).toEqual([PROD_ACCOUNT, SECURITY_ACCOUNT, ROLELESS_ACCOUNT.id]);
    expect(await storedAccounts()).toEqual([PROD_ACCOUNT, SECURITY_ACCOUNT]);
    const { former } = await getAccountsState(admin);
    expect(former).toEqual([expect.objectContaining({ id: DEV_ACCOUNT, label: 'Development', status: 'excluded', lastManagedAt: expect.any(Date) })]);
    expect((await db.select().from(inventorySnapshots)).length).toBeGreaterThan(0);

    // Back in the filter: managed again, and the next run reads its users again.
    const run = await runToEnd();
    expect(await storedAccounts()).toEqual(DEMO);
    expect(run.accounts.find((a) => a.accountId === DEV_ACCOUNT)?.error).toBeNull();
    expect((await getAccountsState(admin)).former).toEqual([]);
  });

  it('a discovery that fails (an error, or a listing without a single account) keeps the last known accounts and their users', async () => {
    const db = await getDb();
    const before = { managed: (await listManagedAccounts()).map((a) => a.id), stored: await storedAccounts() };
    expect(before.stored).toEqual(DEMO);
    await expect(syncManagedAccounts(db, () => Promise.reject(new Error('TooManyRequestsException')))).rejects.toThrow();
    const empty: OrganizationsApi = { listAccounts: async () => ({ items: [] }), listChildOus: async () => ({ items: [] }), listAccountsForParent: async () => ({ items: [] }) };
    const none = { includeOus: [], excludeOus: [], includeAccounts: [], excludeAccounts: [] };
    await expect(syncManagedAccounts(db, () => discoverAccounts(empty, none))).rejects.toThrow(/EmptyListing/);
    expect({ managed: (await listManagedAccounts()).map((a) => a.id), stored: await storedAccounts() }).toEqual(before);
  });
});
