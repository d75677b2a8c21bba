/**
 * Issue 13 §5: two portal instances, each its own Node process (test-support/portal-instance.ts), on one PostgreSQL
 * server. Each instance runs the portal's own entry points (the scheduled inventory and reminders route handlers,
 * the session checks a request goes through); the test drives them over HTTP and reads the shared database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { startPortals, type PortalInstance } from '@/test-support/two-portals';
import { openDatabase, type Database } from '@/lib/db/client';
import { auditLog, inventoryRuns, portalSessions, reminderSends } from '@/lib/db/schema';
import type { PortalIdentity } from '@/lib/auth/types';
import { program } from '@/lib/program/reminders/test-setup';

/** lib/program/reminders/run.ts sends this many at once per instance: more in flight means both are sending. */
const SEND_CONCURRENCY = 4;

let server: TestPostgres;
let database: Database;
let portals: PortalInstance[];
let cronSecret: string;
let receiver: Server;
const deliveries: string[] = [];
let inFlight = 0;
let maxInFlight = 0;
const held: (() => void)[] = [];
let released = false;

/**
 * The reminders' webhook: holds its first answers until more are in flight than one instance sends at once (or 3 s
 * pass, within the portal's 5 s webhook timeout), so that both instances are mid-send, each holding claims, while
 * the other claims; then answers at once.
 */
function releaseAll() {
  released = true;
  held.splice(0).forEach((answer) => answer());
}

function startReceiver(): Promise<string> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string }).text);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = () => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      };
      if (released) return answer();
      held.push(answer);
      if (held.length === 1) setTimeout(releaseAll, 3000).unref();
      if (inFlight > SEND_CONCURRENCY) releaseAll();
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/multi`)));
}

/** Holds a row in `table` in an open transaction until both instances' INSERTs into it wait on it, then rolls back. */
async function releaseTogether(table: string, insert: string, values: unknown[], start: () => Promise<Response[]>): Promise<Response[]> {
  const holder = new pg.Client({ connectionString: server.url });
  const watcher = new pg.Client({ connectionString: server.url });
  await Promise.all([holder.connect(), watcher.connect()]);
  try {
    await holder.query('BEGIN');
    await holder.query(insert, values);
    const responses = start();
    const waiting = async () =>
      (
        await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1`,
          [`insert into "${table}"%`],
        )
      ).rows[0]!.n;
    const until = Date.now() + 20_000;
    while ((await waiting()) < 2) {
      if (Date.now() > until) throw new Error(`both instances should be waiting on ${table}; waiting: ${await waiting()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await holder.query('ROLLBACK');
    return await responses;
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await Promise.all([holder.end(), watcher.end()]);
  }
}

beforeAll(async () => {
  const stack = inject('stack');
  cronSecret = stack.env.MFA_CRON_SECRET!;
  server = await startTestPostgres();
  const webhook = await startReceiver();
  // Both migrate the fresh database as they start, at once. Webhook only (no email): the receiver counts every
  // reminder that goes out.
  portals = await startPortals(2, { ...stack.env, DATABASE_URL: server.url, MFA_REMINDER_EMAIL_FROM: '', MFA_REMINDER_WEBHOOK_URL: webhook });
  database = await openDatabase(server.url);
}, 240_000);

afterAll(async () => {
  await Promise.all((portals ?? []).map((p) => p.stop()));
  await database?.close();
  await server?.stop();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
});

describe('two portal processes on one PostgreSQL server', () => {
  it('are separate processes', () => {
    expect(new Set(portals.map((p) => p.pid)).size).toBe(2);
    expect(portals.map((p) => p.pid)).not.toContain(process.pid);
  });

  describe('sessions', () => {
    const person = (id: string, roles: PortalIdentity['roles']): PortalIdentity => ({ id, email: id, name: id.split('@')[0]!, method: 'oidc', roles, principals: [] });
    const start = async (on: PortalInstance, identity: PortalIdentity) => {
      const res = await on.call('POST', '/session/start', { body: identity });
      expect(res.status).toBe(200);
      return (await res.json()) as { sid: string; cookie: string };
    };
    const check = (on: PortalInstance, cookie: string) => on.call('GET', '/session/check', { cookie });

    it('a session started on one is valid on the other; signed out on one, it is refused on both', async () => {
      const [one, two] = portals as [PortalInstance, PortalInstance];
      const alice = await start(one, person('alice@example.com', ['member']));
      const onTwo = await check(two, alice.cookie);
      expect(onTwo.status).toBe(200);
      expect(await onTwo.json()).toEqual({ id: 'alice@example.com', roles: ['member'] });

      expect(await (await two.call('POST', '/session/sign-out', { cookie: alice.cookie })).json()).toEqual({ signedOut: true });
      expect((await check(one, alice.cookie)).status).toBe(401);
      expect((await check(two, alice.cookie)).status).toBe(401);
      const [row] = await database.db.select().from(portalSessions).where(eq(portalSessions.id, alice.sid));
      expect(row).toMatchObject({ endReason: 'sign-out', person: 'alice@example.com' });
    });

    it('a session an admin ends on one instance is refused on the other', async () => {
      const [one, two] = portals as [PortalInstance, PortalInstance];
      const bob = await start(two, person('bob@example.com', ['member']));
      const carol = await start(one, person('carol@example.com', ['member', 'admin']));
      expect((await check(one, bob.cookie)).status).toBe(200);

      const ended = await one.call('POST', '/session/end', { cookie: carol.cookie, body: { sid: bob.sid } });
      expect(await ended.json()).toEqual({ ended: true });
      expect((await check(two, bob.cookie)).status).toBe(401);
      expect((await check(one, bob.cookie)).status).toBe(401);
      // The admin's own session lives on, on both.
      expect((await check(two, carol.cookie)).status).toBe(200);
      // Ending it again, from the other instance, changes nothing.
      expect(await (await two.call('POST', '/session/end', { cookie: carol.cookie, body: { sid: bob.sid } })).json()).toEqual({ ended: false });
      const [row] = await database.db.select().from(portalSessions).where(eq(portalSessions.id, bob.sid));
      expect(row).toMatchObject({ endReason: 'ended-by-admin' });
    });
  });

  it('reminders due are sent exactly once when both instances run them at the same time', async () => {
    const p = await program(database.db, { deadlineInDays: 3, users: Array.from({ length: 12 }, (_, i) => ({ name: `multi${i}` })) });
    const users = Object.values(p.users);
    const responses = await Promise.all(portals.map((on) => on.call('POST', '/api/cron/reminders', { bearer: cronSecret })));
    const summaries = (await Promise.all(responses.map((r) => r.json()))) as { channels: string[]; due: number; sent: number; alreadySent: number; failed: number }[];
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(summaries.map((s) => s.channels)).toEqual([['webhook'], ['webhook']]);
    expect(summaries.map((s) => s.due)).toEqual([12, 12]);
    expect(summaries[0]!.sent + summaries[1]!.sent).toBe(12);
    expect(summaries[0]!.alreadySent + summaries[1]!.alreadySent).toBe(12);
    expect(summaries[0]!.failed + summaries[1]!.failed).toBe(0);
    // Both instances were sending at once (one alone never has more than SEND_CONCURRENCY in flight).
    expect(maxInFlight).toBeGreaterThan(SEND_CONCURRENCY);
    expect(summaries.map((s) => s.sent > 0)).toEqual([true, true]);

    expect(deliveries).toHaveLength(12);
    for (const u of users) expect(deliveries.filter((text) => text.includes(u.userName)), u.userName).toHaveLength(1);
    const rows = await database.db.select().from(reminderSends);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.channel === 'webhook')).toBe(true);
  });

  describe('inventory', () => {
    const faults = async (rule: unknown) => {
      const res = await fetch(`${inject('stack').awsEndpoint}/_local/faults`, { method: rule ? 'POST' : 'DELETE', body: rule ? JSON.stringify(rule) : undefined });
      expect(res.ok).toBe(true);
    };
    afterEach(() => faults(null));
    const trigger = () => Promise.all(portals.map((on) => on.call('POST', '/api/cron/inventory', { bearer: cronSecret })));
    const outcomes = async (responses: Response[]) =>
      Promise.all(responses.map(async (r) => ({ status: r.status, body: (await r.json()) as { started: boolean; runId?: number; runningRunId?: number } })));
    async function finished(runId: number) {
      const until = Date.now() + 90_000;
      for (;;) {
        const [run] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, runId));
        if (run && run.status !== 'running') return run;
        if (Date.now() > until) throw new Error(`run ${runId} still running after 90 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    /** One started it (202), the other was told it is already running (409), both naming the same run. */
    function oneStarted(results: Awaited<ReturnType<typeof outcomes>>): number {
      const started = results.filter((r) => r.status === 202);
      const refused = results.filter((r) => r.status === 409);
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(started[0]!.body.started).toBe(true);
      expect(refused[0]!.body).toEqual({ started: false, runningRunId: started[0]!.body.runId });
      return started[0]!.body.runId!;
    }

    it('triggered on both at the same moment, runs once: one run row, the other instance sees it already running', async () => {
      // IAM answers slowly for a while, so the run is still going when both are triggered again.
      await faults({ action: 'GetAccountAuthorizationDetails', kind: 'latency', latencyMs: 1500, times: 2 });
      const responses = await releaseTogether(
        'inventory_runs',
        `INSERT INTO inventory_runs (status, trigger, actor) VALUES ('running', 'manual', 'barrier')`,
        [],
        trigger,
      );
      const runId = oneStarted(await outcomes(responses));
      const again = await outcomes(await trigger());
      expect(again).toEqual(Array(2).fill({ status: 409, body: { started: false, runningRunId: runId } }));
      expect((await finished(runId)).status).toBe('succeeded');
      const runs = await database.db.select().from(inventoryRuns);
      expect(runs.map((r) => r.id)).toEqual([runId]);
      const audited = await database.db.select().from(auditLog).where(eq(auditLog.action, 'inventory.refresh'));
      expect(audited.map((a) => a.outcome).sort()).toEqual(['failure', 'failure', 'failure', 'success']);
      expect(audited.find((a) => a.outcome === 'failure')!.detail).toMatchObject({ reason: 'already-running', runningRunId: runId });
    });

    it('a run abandoned by a stopped instance is taken over by exactly one of the two', async () => {
      const [dead] = await database.db
        .insert(inventoryRuns)
        .values({ status: 'running', trigger: 'schedule', actor: 'dead-instance', heartbeatAt: new Date(Date.now() - 10 * 60_000) })
        .returning();
      const runId = oneStarted(await outcomes(await trigger()));
      expect(runId).not.toBe(dead!.id);
      const [old] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, dead!.id));
      expect(old).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
      expect((await finished(runId)).status).toBe('succeeded');
      expect(await database.db.select({ id: inventoryRuns.id }).from(inventoryRuns).where(eq(inventoryRuns.status, 'running'))).toEqual([]);
    });
  });
});
