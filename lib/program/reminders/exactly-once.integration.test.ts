import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import pgClient from 'pg';
import { capturedEmails } from '@/test-support/ses';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { openDatabase, type Database, type Db } from '@/lib/db/client';
import { reminderSends } from '@/lib/db/schema';
import { dueStep } from '../reminder-plan';
import { runReminders } from './run';
import { ACCOUNT, emailOnly, program, sendsOf, reminderStack } from './test-setup';

const stack = reminderStack();

describe('exactly once', () => {
  /** SES answers only after this long, so a worker holds its claims while the other is claiming the same users. */
  const SLOW_SES_MS = 400;
  const slowSes = async () => {
    const res = await fetch(`${stack.endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ action: '*', kind: 'latency', latencyMs: SLOW_SES_MS, times: 100 }) });
    expect(res.ok).toBe(true);
  };

  /** One email per user, in moto's SES and in the record, and the record names that very message. */
  async function expectOneSendEach(on: Db, users: { userName: string; address: string | null }[], step: string) {
    const captured = await capturedEmails(stack.motoUrl);
    for (const u of users) {
      const mails = captured.filter((m) => m.to.includes(u.address!));
      expect(mails, u.userName).toHaveLength(1);
      expect(mails[0]!.subject, u.userName).toContain(u.userName);
      expect(await sendsOf(on, u.userName), u.userName).toEqual([expect.objectContaining({ step, channel: 'email', status: 'sent', attempts: 1, messageId: mails[0]!.id })]);
    }
  }

  it('two workers on one database, each claiming while the other is mid-send, send each reminder once', async () => {
    const p = await program(stack.db, { deadlineInDays: 3, users: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((name) => ({ name })) });
    await slowSes();
    const runs = await Promise.all(['worker-1', 'worker-2'].map((actor) => runReminders({ actor, trigger: 'schedule' }, { config: emailOnly })));
    expect(runs.map((r) => r.due)).toEqual([10, 10]);
    expect(runs[0]!.sent + runs[1]!.sent).toBe(10);
    expect(runs[0]!.alreadySent + runs[1]!.alreadySent).toBe(10);
    expect(runs[0]!.failed + runs[1]!.failed).toBe(0);
    // The runs overlapped: each sent some and found others already claimed by the other (a worker that ran first
    // and alone would have sent all ten, the other none).
    expect(runs.map((r) => r.sent > 0 && r.alreadySent > 0)).toEqual([true, true]);
    await expectOneSendEach(stack.db, Object.values(p.users), '7d');
  });

  describe('on a PostgreSQL server with two instances (separate pools)', () => {
    const INSTANCES = ['reminders-instance-1', 'reminders-instance-2'];
    let pg: TestPostgres;
    let one: Database;
    let two: Database;
    const client = () => new pgClient.Client({ connectionString: pg.url });
    beforeAll(async () => {
      pg = await startTestPostgres();
      // Named connections, so the test can see which instance is waiting on what.
      const named = (name: string) => {
        const url = new URL(pg.url);
        url.searchParams.set('application_name', name);
        return url.toString();
      };
      [one, two] = await Promise.all([openDatabase(named(INSTANCES[0]!)), openDatabase(named(INSTANCES[1]!))]);
    }, 120_000);
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await pg?.stop();
    });

    it('sends each reminder once when both instances claim the same reminders at the same moment', async () => {
      const p = await program(one.db, { deadlineInDays: 1.5, users: Array.from({ length: 12 }, (_, i) => ({ name: `pg${i}` })) });
      const users = Object.values(p.users);
      const step = dueStep(p.deadline, [14, 7, 1], new Date())!.key;
      expect(step).toBe('7d');
      await slowSes();

      // The barrier: a transaction of the test's own inserts every reminder's claim row and stays open. Each
      // instance's claim (INSERT … ON CONFLICT DO NOTHING) then waits on that uncommitted row. Once both instances
      // are seen waiting, the transaction rolls back and their claims race for the same rows at once.
      const holder = client();
      const watcher = client();
      await Promise.all([holder.connect(), watcher.connect()]);
      try {
        await holder.query('BEGIN');
        for (const u of users) {
          await holder.query(
            `INSERT INTO reminder_sends (account_id, user_name, deadline, step, channel, status, trigger, actor) VALUES ($1, $2, $3, $4, 'email', 'sending', 'schedule', 'barrier')`,
            [ACCOUNT, u.userName, p.deadline, step],
          );
        }
        const running = Promise.all([
          runReminders({ actor: 'instance-1', trigger: 'schedule' }, { db: one.db, config: emailOnly }),
          runReminders({ actor: 'instance-2', trigger: 'schedule' }, { db: two.db, config: emailOnly }),
        ]);
        const waiting = async () =>
          (
            await watcher.query<{ name: string }>(
              `SELECT DISTINCT application_name AS name FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'insert into "reminder_sends"%'`,
            )
          ).rows
            .map((r) => r.name)
            .sort();
        const until = Date.now() + 5000;
        while ((await waiting()).length < INSTANCES.length) {
          if (Date.now() > until) throw new Error(`both instances should be waiting on a claim; waiting: ${JSON.stringify(await waiting())}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(await waiting()).toEqual(INSTANCES);
        expect(await sendsOf(one.db, users[0]!.userName)).toEqual([]);
        await holder.query('ROLLBACK');

        const runs = await running;
        expect(runs.map((r) => r.due)).toEqual([12, 12]);
        expect(runs[0]!.sent + runs[1]!.sent).toBe(12);
        expect(runs[0]!.alreadySent + runs[1]!.alreadySent).toBe(12);
        expect(runs[0]!.failed + runs[1]!.failed).toBe(0);
        // Released together, each instance lost at least one race and won at least one.
        expect(runs.map((r) => r.sent > 0 && r.alreadySent > 0)).toEqual([true, true]);
        await expectOneSendEach(one.db, users, step);
        const rows = await one.db.select().from(reminderSends).where(inArray(reminderSends.userName, users.map((u) => u.userName)));
        expect(rows).toHaveLength(12);
        expect(new Set(rows.map((r) => r.actor))).toEqual(new Set(['instance-1', 'instance-2']));
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await Promise.all([holder.end(), watcher.end()]);
      }
    });
  });
});
