import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { GroundTruth, GroundTruthUser } from '@/infra/local/ground-truth';
import { inventoryTestStack } from '@/test-support/inventory-stack';
import { getDb } from '@/lib/db/client';
import { inventoryRuns, inventorySnapshots, inventoryUsers } from '@/lib/db/schema';
import { getRun, latestRuns, startRefresh, waitForRun } from './refresh';
import { verifyUser } from './verify';
import type { Totals } from './totals';

const inventoryStack = inventoryTestStack();
const { faults, runToEnd } = inventoryStack;
let gt: GroundTruth;
let accountIds: string[];
beforeAll(() => {
  ({ gt, accountIds } = inventoryStack.state);
});

const rowsOf = async () => {
  const db = await getDb();
  const rows = await db.select().from(inventoryUsers);
  return new Map(rows.map((r) => [`${r.accountId}/${r.userName}`, r]));
};
const key = (u: Pick<GroundTruthUser, 'accountId' | 'userName'>) => `${u.accountId}/${u.userName}`;

const USAGE_FLAGS = ['stale-console', 'never-signed-in', 'not-signed-in-yet'];
/** The usage flags the seed's dates call for (the seed keeps hours away from day boundaries). */
function usageFlags(u: GroundTruthUser, now = Date.now()): string[] {
  if (!u.consoleAccess) return [];
  const days = (iso: string) => Math.floor((now - Date.parse(iso)) / 86_400_000);
  if (u.passwordLastUsed) return days(u.passwordLastUsed) >= 90 ? ['stale-console'] : [];
  return days(u.createdAt!) >= 90 ? ['stale-console', 'never-signed-in'] : ['not-signed-in-yet'];
}

function expectMatchesGroundTruth(rows: Awaited<ReturnType<typeof rowsOf>>, exactDevices: boolean) {
  expect([...rows.keys()].sort()).toEqual(gt.users.map(key).sort());
  let checkedExact = 0;
  for (const u of gt.users) {
    const row = rows.get(key(u))!;
    const ctx = `${key(u)} (${u.devices.map((d) => d.type).join(',') || 'no devices'})`;
    expect(row.consoleAccess, ctx).toBe(u.consoleAccess);
    expect(row.arn, ctx).toBe(u.arn);
    expect(row.path, ctx).toBe(u.path);
    expect(row.tags, ctx).toEqual(u.tags);
    expect([...row.groups].sort(), ctx).toEqual([...u.groups].sort());
    expect([...row.leftoverDevices].sort(), ctx).toEqual([...u.leftoverVirtualDevices].sort());
    const got = row.devices.map((d) => `${d.type} ${d.serial}`).sort();
    const want = u.devices.map((d) => `${d.type} ${d.serial}`).sort();
    const hasVirtual = u.devices.some((d) => d.type === 'virtual');
    if (exactDevices || !hasVirtual) {
      expect(got, ctx).toEqual(want);
      expect(row.mfaState, ctx).toBe(u.mfaState);
      checkedExact++;
    } else {
      // The documented blind spot: a non-virtual device next to a virtual one is not listed.
      const wantVirtual = u.devices.filter((d) => d.type === 'virtual').map((d) => `virtual ${d.serial}`).sort();
      expect(got, ctx).toEqual(wantVirtual);
      expect(row.mfaState, ctx).toBe('enabled');
    }
    // The seed's dates are in the credential report (the fidelity layer), so the usage flags follow them.
    expect(row.flags.filter((f) => USAGE_FLAGS.includes(f)), ctx).toEqual(usageFlags(u));
    expect(row.createdAt?.toISOString(), ctx).toBe(new Date(u.createdAt!).toISOString());
    expect(row.passwordLastUsed?.toISOString() ?? null, ctx).toBe(u.passwordLastUsed ? new Date(u.passwordLastUsed).toISOString() : null);
    // Only the organisation's marker (kind=service, MFA_SERVICE_USER_TAGS in the stack) makes a service user.
    expect(row.flags.includes('service-with-console'), ctx).toBe(u.kind === 'service' && u.consoleAccess);
    expect(row.flagEvidence.map((e) => e.flag), ctx).toEqual(row.flags);
    if (u.devices.length > 1 && (exactDevices || u.devices.every((d) => d.type === 'virtual') || !hasVirtual)) expect(row.flags, ctx).toContain('several-devices');
  }
  return checkedExact;
}

describe('inventory collection over the seeded organisation', () => {
  let firstRunId: number;

  it('classifies every seeded user as the ground truth says, with few calls', async () => {
    const t = performance.now();
    const run = await runToEnd();
    const ms = performance.now() - t;
    expect(run.status, run.error ?? '').toBe('succeeded');
    firstRunId = run.id;
    const rows = await rowsOf();
    const exact = expectMatchesGroundTruth(rows, false);
    expect(exact).toBeGreaterThan(gt.users.length / 2);

    expect(run.progress).toMatchObject({ accountsTotal: 3, accountsDone: 3, usersSeen: gt.users.length, phase: 'done' });
    const calls = run.calls;
    expect(calls.GetAccountAuthorizationDetails).toBeGreaterThanOrEqual(3);
    // Per account: a report younger than 4 hours is read at once (1 call); otherwise the first read finds none,
    // GenerateCredentialReport until COMPLETE, and read again (2 calls). scale.integration.test.ts proves the reuse.
    expect(calls.GetCredentialReport).toBeGreaterThanOrEqual(3);
    expect(calls.GetCredentialReport).toBeLessThanOrEqual(6);
    const generated = (calls.GetCredentialReport ?? 0) - 3;
    if (generated === 0) expect(calls.GenerateCredentialReport ?? 0).toBe(0);
    else expect(calls.GenerateCredentialReport).toBeGreaterThanOrEqual(generated);
    expect(calls.ListVirtualMFADevices).toBeGreaterThanOrEqual(3);
    // Exactly the users whose MFA is not explained by a virtual device.
    const nonVirtualOnly = gt.users.filter((u) => u.devices.length > 0 && !u.devices.some((d) => d.type === 'virtual')).length;
    expect(calls.ListMFADevices).toBe(nonVirtualOnly);
    expect(calls.GetLoginProfile ?? 0).toBe(0);

    expect(run.accounts.map((a) => a.accountId).sort()).toEqual([...accountIds].sort());
    for (const a of run.accounts) {
      expect(a.error).toBeNull();
      expect(a.users).toBe(gt.users.filter((u) => u.accountId === a.accountId).length);
      expect(a.alias).toBe(gt.accounts.find((x) => x.id === a.accountId)!.alias);
      expect(a.credentialReportAt).toBeInstanceOf(Date);
      // The fidelity layer adds the root row the seed describes; the stack says the organisation has centralized root access.
      const root = gt.accounts.find((x) => x.id === a.accountId)!.root;
      expect(a.rootMfaActive).toBe(root === 'mfa');
      expect(a.rootStatus).toBe(root);
      // Every leftover the seed made names its user, so none is left unattributed.
      expect(a.unattributedLeftovers).toEqual([]);
    }

    const db = await getDb();
    const [snap] = await db.select().from(inventorySnapshots).where(eq(inventorySnapshots.runId, run.id));
    const totals = snap!.totals as unknown as Totals;
    const consoleUsers = gt.users.filter((u) => u.consoleAccess);
    const withMfa = consoleUsers.filter((u) => u.mfaState === 'enabled').length;
    expect(totals).toMatchObject({
      consoleUsers: consoleUsers.length,
      withMfa,
      withoutMfa: consoleUsers.length - withMfa,
      leftoverOnly: consoleUsers.filter((u) => u.mfaState === 'leftover-only').length,
      inScope: consoleUsers.length,
      exceptions: 0,
      outOfScope: 0,
    });
    expect(totals.coveragePct).toBeCloseTo((withMfa / consoleUsers.length) * 100, 0);
    for (const id of accountIds)
      expect(totals.byAccount[id]).toEqual({
        consoleUsers: consoleUsers.filter((u) => u.accountId === id).length,
        // No program yet: every console user is in scope.
        inScope: consoleUsers.filter((u) => u.accountId === id).length,
        withMfa: consoleUsers.filter((u) => u.accountId === id && u.mfaState === 'enabled').length,
      });
    expect(totals.byCohort).toEqual({ '(no category)': { inScope: consoleUsers.length, compliant: withMfa, deadline: null } });
    console.log(`[inventory] ${gt.users.length} users, ${ms.toFixed(0)} ms, calls ${JSON.stringify(calls)}`);
  });

  it('with MFA_INVENTORY_LIST_ALL_DEVICES and small pages: exact devices for everyone, every page read', async () => {
    const run = await runToEnd({ listAllDevices: true, pageSize: 7 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    const rows = await rowsOf();
    expect(expectMatchesGroundTruth(rows, true)).toBe(gt.users.length);
    for (const r of rows.values()) expect(r.runId).toBe(run.id);
    const perAccount = accountIds.map((id) => gt.users.filter((u) => u.accountId === id).length);
    // Users only (Filter User): one page per 7 users of each account.
    expect(run.calls.GetAccountAuthorizationDetails).toBe(perAccount.reduce((n, users) => n + Math.ceil(users / 7), 0));
    expect(run.calls.ListMFADevices).toBe(gt.users.filter((u) => u.devices.length > 0).length);
    const virtualDevices = gt.users.reduce((n, u) => n + u.devices.filter((d) => d.type === 'virtual').length + u.leftoverVirtualDevices.length, 0);
    expect(run.calls.ListVirtualMFADevices).toBeGreaterThanOrEqual(Math.ceil(virtualDevices / 7));
  });

  it('runs one collection at a time: a second start gets the running run', async () => {
    const [a, b] = await Promise.all([
      startRefresh({ actor: 'one', trigger: 'manual' }),
      startRefresh({ actor: 'two', trigger: 'schedule' }),
    ]);
    const started = [a, b].filter((r) => r.started);
    const refused = [a, b].filter((r) => !r.started);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const runId = (started[0] as { runId: number }).runId;
    expect(refused[0]).toEqual({ started: false, runningRunId: runId });
    const progress = await getRun(runId);
    expect(progress?.status).toBe('running');
    expect((await waitForRun(runId))?.status).toBe('succeeded');
    expect((await latestRuns(1))[0]?.id).toBe(runId);
  });

  it('takes over a running run whose heartbeat is stale', async () => {
    const db = await getDb();
    const [stale] = await db
      .insert(inventoryRuns)
      .values({ status: 'running', trigger: 'schedule', actor: 'dead-instance', heartbeatAt: new Date(Date.now() - 10 * 60_000) })
      .returning();
    const started = await startRefresh({ actor: 'test', trigger: 'manual' });
    expect(started.started).toBe(true);
    const old = await getRun(stale!.id);
    expect(old?.status).toBe('failed');
    expect(old?.error).toMatch(/abandoned/);
    if (started.started) expect((await waitForRun(started.runId))?.status).toBe('succeeded');

    // A fresh heartbeat is respected.
    const [alive] = await db.insert(inventoryRuns).values({ status: 'running', trigger: 'schedule', actor: 'other-instance' }).returning();
    expect(await startRefresh({ actor: 'test', trigger: 'manual' })).toEqual({ started: false, runningRunId: alive!.id });
    await db.update(inventoryRuns).set({ status: 'failed', finishedAt: new Date() }).where(eq(inventoryRuns.id, alive!.id));
  });

  it('polling shows a run whose process died as failed, not running forever', async () => {
    const db = await getDb();
    const [dead] = await db
      .insert(inventoryRuns)
      .values({ status: 'running', trigger: 'schedule', actor: 'dead-instance', heartbeatAt: new Date(Date.now() - 10 * 60_000) })
      .returning();
    expect((await latestRuns(1))[0]).toMatchObject({ id: dead!.id, status: 'failed' });
    expect((await getRun(dead!.id))?.error).toMatch(/abandoned/);
  });

  it('a failing account gives a partial run and keeps its previous rows', async () => {
    const [failing, ...others] = accountIds;
    const before = await rowsOf();
    const previousRunOfFailing = [...before.values()].find((r) => r.accountId === failing)!.runId;
    // Enough 5xx for every attempt of the first account's GetAccountAuthorizationDetails; accounts go one at a time.
    await faults({ action: 'GetAccountAuthorizationDetails', kind: '5xx', times: 5 });
    const run = await runToEnd({ accountConcurrency: 1, accountIds: [failing!, ...others] });
    expect(run.status).toBe('partial');
    expect(run.error).toContain(failing);
    const failed = run.accounts.find((a) => a.accountId === failing)!;
    expect(failed.error).toMatch(/ServiceFailure/);
    const after = await rowsOf();
    const failingRows = [...after.values()].filter((r) => r.accountId === failing);
    expect(failingRows).toHaveLength(gt.users.filter((u) => u.accountId === failing).length);
    for (const r of failingRows) expect(r.runId).toBe(previousRunOfFailing);
    for (const r of after.values()) if (r.accountId !== failing) expect(r.runId).toBe(run.id);
    expect(firstRunId).toBeLessThan(run.id);
  });

  it('verifyUser re-checks one user live and stores it at once', async () => {
    const u = gt.users.find((x) => x.consoleAccess && x.devices.some((d) => d.type === 'fido') && x.devices.every((d) => d.type !== 'virtual'))!;
    const db = await getDb();
    // Pretend the stored row is out of date.
    await db
      .update(inventoryUsers)
      .set({ devices: [], mfaState: 'none', flags: [] })
      .where(eq(inventoryUsers.userName, u.userName));
    const row = await verifyUser({ accountId: u.accountId, userName: u.userName, arn: u.arn }, 'verify');
    expect(row.source).toBe('verify');
    expect(row.mfaState).toBe('enabled');
    expect(row.devices.map((d) => d.serial).sort()).toEqual(u.devices.map((d) => d.serial).sort());
    // Security keys carry their certifications (GetMFADevice), as the seed registered them.
    for (const d of u.devices.filter((x) => x.type === 'fido')) expect(row.devices.find((x) => x.serial === d.serial)!.certifications).toEqual(d.certifications ?? {});
    expect(row.tags).toEqual(u.tags);
    // Usage comes from the stored row (the last report): the same flags as the inventory gave.
    expect(row.flags.filter((f) => USAGE_FLAGS.includes(f))).toEqual(usageFlags(u));
    const stored = (await rowsOf()).get(key(u))!;
    expect(stored.source).toBe('verify');
    expect(stored.devices).toEqual(row.devices);
  });
});
