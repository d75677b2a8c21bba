/**
 * The inventory lease (runs.ts) on both backends: on the PostgreSQL server, concurrent calls go through separate
 * pooled connections under READ COMMITTED, as two instances' would.
 */
import { beforeEach, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { inventoryAccounts, inventoryRuns } from '@/lib/db/schema';
import { acquireRun, finishRun, heartbeat, readRun, type RunProgress } from './runs';

const start = { actor: 'test', trigger: 'manual' as const, accountsTotal: 1 };
const progress: RunProgress = { accountsTotal: 1, accountsDone: 1, usersSeen: 0, phase: 'done' };

describeOnDatabases('the inventory lease', (database) => {
  const db = () => database().db;
  beforeEach(async () => {
    await db().delete(inventoryAccounts);
    await db().delete(inventoryRuns);
  });
  /** Ages a run's heartbeat on the database's clock, as time passing without heartbeats would. */
  const ageHeartbeat = (runId: number, seconds: number) =>
    db().update(inventoryRuns).set({ heartbeatAt: sql`now() - make_interval(secs => ${seconds})` }).where(eq(inventoryRuns.id, runId));
  const running = () => db().select({ id: inventoryRuns.id }).from(inventoryRuns).where(eq(inventoryRuns.status, 'running'));

  it('is held by one run: of concurrent acquisitions one starts, the others get the running run', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => acquireRun(db(), start)));
    const started = results.filter((r) => r.started);
    expect(started).toHaveLength(1);
    const runId = (started[0] as { runId: number }).runId;
    expect(results.filter((r) => !r.started)).toEqual(Array(3).fill({ started: false, runningRunId: runId }));
    expect(await running()).toEqual([{ id: runId }]);

    await finishRun(db(), runId, { status: 'succeeded', progress, calls: {} });
    const next = await acquireRun(db(), start);
    expect(next).toEqual({ started: true, runId: expect.any(Number) });
    expect((next as { runId: number }).runId).not.toBe(runId);
  });

  it('a run whose heartbeat is stale is failed and taken over by exactly one of concurrent acquisitions', async () => {
    const first = await acquireRun(db(), start);
    if (!first.started) throw new Error('the first acquisition should start');
    await ageHeartbeat(first.runId, 10 * 60);

    const results = await Promise.all(Array.from({ length: 4 }, () => acquireRun(db(), start)));
    const started = results.filter((r) => r.started);
    expect(started).toHaveLength(1);
    const takeover = (started[0] as { runId: number }).runId;
    expect(results.filter((r) => !r.started)).toEqual(Array(3).fill({ started: false, runningRunId: takeover }));
    expect(await readRun(db(), first.runId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned/) });
    expect(await running()).toEqual([{ id: takeover }]);

    // The old run's process, if it still lives, learns it lost the lease and cannot overwrite the outcome.
    expect(await heartbeat(db(), first.runId, progress)).toBe(false);
    await finishRun(db(), first.runId, { status: 'succeeded', progress, calls: {} });
    expect((await readRun(db(), first.runId))?.status).toBe('failed');
    expect(await heartbeat(db(), takeover, progress)).toBe(true);
  });

  it('a heartbeat keeps the lease: a run is taken over only once its last heartbeat is older than the limit', async () => {
    const STALE_MS = 60_000;
    const first = await acquireRun(db(), start, STALE_MS);
    if (!first.started) throw new Error('the first acquisition should start');
    await ageHeartbeat(first.runId, 50);
    expect(await acquireRun(db(), start, STALE_MS)).toEqual({ started: false, runningRunId: first.runId });

    await ageHeartbeat(first.runId, 70);
    expect(await heartbeat(db(), first.runId)).toBe(true);
    expect(await acquireRun(db(), start, STALE_MS)).toEqual({ started: false, runningRunId: first.runId });

    await ageHeartbeat(first.runId, 70);
    const takeover = await acquireRun(db(), start, STALE_MS);
    expect(takeover.started).toBe(true);
    expect((await readRun(db(), first.runId))?.status).toBe('failed');
  });
});
