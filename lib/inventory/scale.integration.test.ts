import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { inventoryTestStack } from '@/test-support/inventory-stack';
import { getDb } from '@/lib/db/client';
import { inventoryRuns, inventoryUsers } from '@/lib/db/schema';
import { getRun, startRefresh, waitForRun } from './refresh';
import { expireAbandonedRuns, readRunAccounts } from './runs';

const { state, faults, runToEnd } = inventoryTestStack();

const usersOf = (accountId: string) => state.gt.users.filter((u) => u.accountId === accountId).length;

describe('inventory at scale: pool, retries, isolation, report reuse, resume', () => {
  it('reuses a credential report younger than 4 hours: no GenerateCredentialReport on the next run', async () => {
    const first = await runToEnd();
    expect(first.status, JSON.stringify(first.accounts.map((a) => a.error))).toBe('succeeded');
    const second = await runToEnd();
    expect(second.status, second.error ?? '').toBe('succeeded');
    // The first run leaves a report in every account; the second reads it with one call per account.
    expect(second.calls.GenerateCredentialReport ?? 0).toBe(0);
    expect(second.calls.GetCredentialReport).toBe(state.accountIds.length);
    for (const a of second.accounts) expect(a.credentialReportAt).toBeInstanceOf(Date);
    expect(second.progress.usersSeen).toBe(state.gt.users.length);
  });

  it('retries throttled calls (the SDK adaptive mode, with jitter) and counts each call once', async () => {
    await faults({ action: 'ListVirtualMFADevices', kind: 'throttle', times: 3 });
    const run = await runToEnd({ accountConcurrency: 1 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    // Every throttle was answered (and retried past): none is left.
    expect(await faults(undefined)).toEqual([]);
    // One page of devices per account: retries are attempts of the same call, not calls.
    expect(run.calls.ListVirtualMFADevices).toBe(state.accountIds.length);
  });

  it("one account's failure fails no other account collected at the same time", async () => {
    const unreachable = '999999999999';
    const run = await runToEnd({ accountConcurrency: 4, accountIds: [...state.accountIds, unreachable] });
    expect(run.status).toBe('partial');
    expect(run.error).toContain(unreachable);
    const outcome = new Map(run.accounts.map((a) => [a.accountId, a]));
    expect(outcome.get(unreachable)!.error).toMatch(/AccessDenied/);
    for (const id of state.accountIds) {
      expect(outcome.get(id)!.error).toBeNull();
      expect(outcome.get(id)!.users).toBe(usersOf(id));
    }
    const rows = await (await getDb()).select().from(inventoryUsers);
    for (const r of rows) expect(r.runId).toBe(run.id);
  });

  it('resumes an interrupted run with the accounts it had not finished', async () => {
    const db = await getDb();
    // Slow bulk reads, so that the run is surely interrupted after its first account and before its last.
    await faults({ action: 'GetAccountAuthorizationDetails', kind: 'latency', latencyMs: 1500, times: 3 });
    const started = await startRefresh({ actor: 'test', trigger: 'manual' }, { accountConcurrency: 1 });
    if (!started.started) throw new Error('a run is already going');
    const interrupted = started.runId;
    for (let i = 0; i < 200; i++) {
      const accounts = await readRunAccounts(db, interrupted);
      if (accounts.some((a) => a.collectedAt && !a.error)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // What the database sees when the process is killed: the heartbeat stops, and the lease expires.
    for (let i = 0; i < 5 && (await getRun(interrupted))?.status === 'running'; i++) {
      await db.update(inventoryRuns).set({ heartbeatAt: new Date(Date.now() - 10 * 60_000) }).where(eq(inventoryRuns.id, interrupted));
      await expireAbandonedRuns(db);
    }
    // The collection still running in this process notices at its next account and stops writing.
    const dead = (await waitForRun(interrupted))!;
    expect(dead.status).toBe('failed');
    expect(dead.error).toMatch(/abandoned/);
    const finished = dead.accounts.filter((a) => a.collectedAt && !a.error);
    expect(finished).toHaveLength(1);
    const [carried] = finished;
    await faults(null);

    const resumed = await runToEnd({ accountConcurrency: 1 });
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    expect(resumed.progress).toMatchObject({ resumedFrom: interrupted, accountsTotal: state.accountIds.length, accountsDone: state.accountIds.length, usersSeen: state.gt.users.length });
    // Only the accounts not finished were read again.
    expect(resumed.calls.GetAccountAuthorizationDetails, JSON.stringify(resumed.calls)).toBe(state.accountIds.length - 1);
    expect(resumed.calls.ListVirtualMFADevices).toBe(state.accountIds.length - 1);
    expect(resumed.accounts.map((a) => a.accountId).sort()).toEqual([...state.accountIds].sort());
    const kept = resumed.accounts.find((a) => a.accountId === carried!.accountId)!;
    expect(kept.collectedAt).toEqual(carried!.collectedAt);
    expect(kept.users).toBe(usersOf(carried!.accountId));
    const rows = await db.select().from(inventoryUsers);
    expect(rows).toHaveLength(state.gt.users.length);
    for (const r of rows) expect(r.runId).toBe(r.accountId === carried!.accountId ? interrupted : resumed.id);

    // A run after a finished one starts over.
    const next = await runToEnd();
    expect(next.progress.resumedFrom).toBeUndefined();
    expect(next.calls.GetAccountAuthorizationDetails).toBe(state.accountIds.length);
  });
});
