import { afterEach, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { inventoryRuns, iamEventsApplied } from '@/lib/db/schema';
import { acquireRun, releaseRun } from '@/lib/inventory/runs';
import { claimEvent, releaseClaim } from '@/lib/events/claims';
import { heldLeases, holdLease, inFlightWork, releaseHeldLeases, resetLifecycle, trackWork } from './lifecycle';
import { shutDown } from './shutdown';
import type { IamChangeEvent } from '@/lib/events/parse';

const event: IamChangeEvent = { eventId: 'evt-shutdown-1', eventName: 'CreateUser', effect: 'create' as const, accountId: '111111111111', userName: 'alice', at: new Date() };

describeOnDatabases('shutdown gives back the leases this process holds', (database) => {
  afterEach(() => resetLifecycle());

  it('ends an abandoned inventory run and drops an event claim, so another instance takes both at once', async () => {
    const db = database().db;
    const run = await acquireRun(db, { actor: 'scheduler', trigger: 'schedule', accountsTotal: 3 });
    expect(run.started).toBe(true);
    const runId = (run as { runId: number }).runId;
    holdLease(`inventory-run:${runId}`, () => releaseRun(db, runId));
    expect(await claimEvent(db, event)).toBe('claimed');
    holdLease(`iam-event:${event.accountId}:${event.eventId}`, () => releaseClaim(db, event));
    // A run that does not end within the grace period.
    trackWork(new Promise(() => undefined));
    // Another instance now: the run's lease is fresh, the claim within its lease.
    expect(await acquireRun(db, { actor: 'other', trigger: 'schedule', accountsTotal: 3 })).toEqual({ started: false, runningRunId: runId });
    expect(await claimEvent(db, event)).toBe('in-progress');

    const order: string[] = [];
    const report = await shutDown(
      {
        stopIntake: () => void order.push('stop'),
        inFlight: inFlightWork,
        releaseLeases: async () => {
          order.push('release');
          return releaseHeldLeases();
        },
        closeDatabase: async () => void order.push('close'),
      },
      1000,
    );
    expect(report).toMatchObject({ abandoned: true, leases: { released: 2, failed: 0 } });
    expect(order).toEqual(['stop', 'release', 'close']);
    expect(heldLeases()).toEqual([]);

    const [row] = await db.select().from(inventoryRuns).where(eq(inventoryRuns.id, runId));
    expect(row).toMatchObject({ status: 'failed', error: 'interrupted: the portal instance running it shut down' });
    expect(row!.finishedAt).toBeInstanceOf(Date);
    expect(await db.select().from(iamEventsApplied).where(eq(iamEventsApplied.eventId, event.eventId))).toEqual([]);
    const next = await acquireRun(db, { actor: 'other', trigger: 'schedule', accountsTotal: 3 });
    expect(next.started).toBe(true);
    expect(await claimEvent(db, event)).toBe('claimed');
  });

  it('does not touch a run that finished normally: its lease was dropped when it ended', async () => {
    const db = database().db;
    const [running] = await db.select().from(inventoryRuns).where(eq(inventoryRuns.status, 'running'));
    expect(running).toBeDefined();
    const drop = holdLease(`inventory-run:${running!.id}`, () => releaseRun(db, running!.id));
    await db.update(inventoryRuns).set({ status: 'succeeded', finishedAt: new Date() }).where(eq(inventoryRuns.id, running!.id));
    drop();
    expect(await releaseHeldLeases()).toEqual({ released: 0, failed: 0 });
    const [row] = await db.select().from(inventoryRuns).where(eq(inventoryRuns.id, running!.id));
    expect(row!.status).toBe('succeeded');
  });
});
