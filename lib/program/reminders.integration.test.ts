import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { capturedEmails, capturedEmailsTo } from '@/test-support/ses';
import pgClient from 'pg';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { DEMO_REMINDER_SENDER } from '@/infra/local/seed';
import { getDb, openDatabase, type Database, type Db } from '@/lib/db/client';
import { auditLog, inventoryUsers, programCategories, programDecisions, programSettings, reminderSends, type DeviceType } from '@/lib/db/schema';
import { resetAwsClients } from '@/lib/aws/clients';
import { resetSesClient } from '@/lib/aws/ses';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { listReminderSends, MAX_ATTEMPTS, runReminders, sendReminderNow, type ReminderOptions } from './reminders';
import { DAY_MS, dueStep, formatDeadline, parseReminderFilters } from './reminder-plan';

const ACCOUNT = '222222222222';
const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const member: Actor = { ...admin, id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', roles: ['member'] };
/** Email only (the stack's verified sender), whatever else is configured. */
const emailOnly: ReminderOptions['config'] = { webhookUrl: null };

let motoUrl: string;
let endpoint: string;
let db: Db;

beforeAll(async () => {
  const { stack } = await useLocalStack();
  motoUrl = stack.motoUrl;
  endpoint = stack.awsEndpoint;
  resetAwsClients();
  resetSesClient();
  db = await getDb();
});

afterEach(async () => {
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
  // Each test's synthetic users and categories go, so later runs see only their own.
  await db.delete(programDecisions);
  await db.delete(programCategories);
  await db.delete(inventoryUsers);
  await db.delete(reminderSends);
  await db.update(programSettings).set({ reminderDays: [14, 7, 1] });
});

type UserSpec = { name: string; email?: string | null; devices?: DeviceType[]; consoleAccess?: boolean; tags?: Record<string, string> };

/** A category of its own group (so it selects only this test's users) and inventory rows as the inventory writes them. */
async function program(on: Db, opts: { deadlineInDays: number; allowed?: DeviceType[]; minDevices?: number; users: UserSpec[] }) {
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
      arn: `arn:aws:iam::${ACCOUNT}:user/${u.userName}`,
      path: '/',
      consoleAccess: u.consoleAccess ?? true,
      tags: { ...(u.address ? { email: u.address } : {}), ...u.tags },
      groups: [group],
      devices: (u.devices ?? []).map((type, i) => ({ serial: `arn:aws:iam::${ACCOUNT}:mfa/${u.userName}-${i}`, type, name: `${type}-${i}`, enabledAt: null })),
      mfaState: (u.devices?.length ? 'enabled' : 'none') as 'enabled' | 'none',
      source: 'inventory' as const,
    })),
  );
  const byName = Object.fromEntries(users.map((u) => [u.name, u]));
  return { categoryId: category!.id, deadline, users: byName };
}

const sendsOf = (on: Db, userName: string) => on.select().from(reminderSends).where(and(eq(reminderSends.accountId, ACCOUNT), eq(reminderSends.userName, userName)));

describe('scheduled reminders by email (moto SES)', () => {
  it('emails each in-scope user without compliant MFA once, records what it did, and sends nothing new on the next run', async () => {
    const p = await program(db, {
      deadlineInDays: 5,
      allowed: ['virtual', 'fido'],
      users: [{ name: 'nomfa' }, { name: 'hwonly', devices: ['hardware'] }, { name: 'ok', devices: ['virtual'] }, { name: 'untagged', email: null }, { name: 'nocon', consoleAccess: false }],
    });

    const first = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    expect(first).toMatchObject({ off: false, channels: ['email'], due: 3, sent: 2, failed: 0, skipped: 1, alreadySent: 0 });

    const nomfa = p.users.nomfa!;
    const [mail, ...more] = await capturedEmailsTo(motoUrl, nomfa.address!);
    expect(more).toHaveLength(0);
    expect(mail!.source).toBe(DEMO_REMINDER_SENDER);
    expect(mail!.subject).toBe(`Set up MFA for IAM user ${nomfa.userName} in Development in 5 days`);
    expect(mail!.body).toContain(nomfa.userName);
    expect(mail!.body).toContain(formatDeadline(p.deadline));
    expect(mail!.body).toContain('No MFA device');
    expect(mail!.body).toContain(`/enroll?user=${ACCOUNT}/${nomfa.userName}`);
    const [hw] = await capturedEmailsTo(motoUrl, p.users.hwonly!.address!);
    expect(hw!.body).toContain('Only device types this category does not allow');

    const [nomfaSend] = await sendsOf(db, nomfa.userName);
    expect(nomfaSend).toMatchObject({ step: '7d', channel: 'email', recipient: nomfa.address, status: 'sent', attempts: 1, messageId: mail!.id, trigger: 'schedule', actor: 'scheduler', categoryId: p.categoryId });
    expect(nomfaSend!.sentAt).toBeInstanceOf(Date);
    expect(await sendsOf(db, p.users.untagged!.userName)).toMatchObject([{ channel: 'email', status: 'failed', recipient: null, error: expect.stringMatching(/^No email tag \(email\)/) }]);
    expect(await sendsOf(db, p.users.ok!.userName)).toEqual([]);
    expect(await sendsOf(db, p.users.nocon!.userName)).toEqual([]);

    const second = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    expect(second).toMatchObject({ due: 3, sent: 0, failed: 0, skipped: 1, alreadySent: 2 });
    expect(await capturedEmailsTo(motoUrl, nomfa.address!)).toHaveLength(1);
    expect(await capturedEmailsTo(motoUrl, p.users.hwonly!.address!)).toHaveLength(1);

    const audits = await db.select().from(auditLog).where(eq(auditLog.action, 'reminders.run'));
    expect(audits.at(-1)).toMatchObject({ actor: 'scheduler', outcome: 'success', detail: expect.objectContaining({ trigger: 'schedule', sent: 0, alreadySent: 2 }) });
  });

  it('sends nothing before the first step or after the deadline, and only the due step after the days change', async () => {
    const far = await program(db, { deadlineInDays: 30, users: [{ name: 'far' }] });
    const past = await program(db, { deadlineInDays: -1, users: [{ name: 'past' }] });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 0, sent: 0 });
    await db.update(programSettings).set({ reminderDays: [40] });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 1, sent: 1 });
    expect(await sendsOf(db, far.users.far!.userName)).toMatchObject([{ step: '40d', status: 'sent' }]);
    expect(await sendsOf(db, past.users.past!.userName)).toEqual([]);
  });

  it('is off, and records nothing, when no channel is configured', async () => {
    const p = await program(db, { deadlineInDays: 2, users: [{ name: 'quiet' }] });
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: null } });
    expect(summary).toMatchObject({ off: true, channels: [], due: 0, sent: 0 });
    expect(await sendsOf(db, p.users.quiet!.userName)).toEqual([]);
    expect(await capturedEmailsTo(motoUrl, p.users.quiet!.address!)).toEqual([]);
  });
});

describe('exactly once', () => {
  /** SES answers only after this long, so a worker holds its claims while the other is claiming the same users. */
  const SLOW_SES_MS = 400;
  const slowSes = async () => {
    const res = await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ action: '*', kind: 'latency', latencyMs: SLOW_SES_MS, times: 100 }) });
    expect(res.ok).toBe(true);
  };

  /** One email per user, in moto's SES and in the record, and the record names that very message. */
  async function expectOneSendEach(on: Db, users: { userName: string; address: string | null }[], step: string) {
    const captured = await capturedEmails(motoUrl);
    for (const u of users) {
      const mails = captured.filter((m) => m.to.includes(u.address!));
      expect(mails, u.userName).toHaveLength(1);
      expect(mails[0]!.subject, u.userName).toContain(u.userName);
      expect(await sendsOf(on, u.userName), u.userName).toEqual([expect.objectContaining({ step, channel: 'email', status: 'sent', attempts: 1, messageId: mails[0]!.id })]);
    }
  }

  it('two workers on one database, each claiming while the other is mid-send, send each reminder once', async () => {
    const p = await program(db, { deadlineInDays: 3, users: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((name) => ({ name })) });
    await slowSes();
    const runs = await Promise.all(['worker-1', 'worker-2'].map((actor) => runReminders({ actor, trigger: 'schedule' }, { config: emailOnly })));
    expect(runs.map((r) => r.due)).toEqual([10, 10]);
    expect(runs[0]!.sent + runs[1]!.sent).toBe(10);
    expect(runs[0]!.alreadySent + runs[1]!.alreadySent).toBe(10);
    expect(runs[0]!.failed + runs[1]!.failed).toBe(0);
    // The runs overlapped: each sent some and found others already claimed by the other (a worker that ran first
    // and alone would have sent all ten, the other none).
    expect(runs.map((r) => r.sent > 0 && r.alreadySent > 0)).toEqual([true, true]);
    await expectOneSendEach(db, Object.values(p.users), '7d');
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

describe('failures', () => {
  /** Every request through the proxy fails with 503, more often than the SDK retries. */
  const failSes = () => fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ action: '*', kind: '5xx', status: 503, times: 50 }) });
  const healSes = () => fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });

  it('records a failed send and retries it on a later run, at most three attempts in all', async () => {
    const p = await program(db, { deadlineInDays: 4, users: [{ name: 'flaky' }, { name: 'doomed' }] });
    const flaky = p.users.flaky!;
    const doomed = p.users.doomed!;

    await failSes();
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 2, sent: 0, failed: 2 });
    const [failed] = await sendsOf(db, flaky.userName);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, messageId: null });
    expect(failed!.error).toBe('HTTP 503: SES answered with an error the SDK could not read (ServiceFailure)');
    const audit = (await db.select().from(auditLog).where(eq(auditLog.action, 'reminders.run'))).at(-1);
    expect(audit).toMatchObject({ outcome: 'failure', detail: expect.objectContaining({ failed: 2 }) });

    // The next run retries both; while SES still fails, the attempts add up to the limit and then stop.
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ failed: 2 });
    await healSes();
    await db.update(reminderSends).set({ attempts: MAX_ATTEMPTS }).where(eq(reminderSends.userName, doomed.userName));
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 2, sent: 1, failed: 0, alreadySent: 1 });

    expect(await sendsOf(db, flaky.userName)).toMatchObject([{ status: 'sent', attempts: 3, error: null }]);
    expect(await capturedEmailsTo(motoUrl, flaky.address!)).toHaveLength(1);
    expect(await sendsOf(db, doomed.userName)).toMatchObject([{ status: 'failed', attempts: MAX_ATTEMPTS }]);
    expect(await capturedEmailsTo(motoUrl, doomed.address!)).toHaveLength(0);
  });

  it('records SES refusing an unverified sender, and sends once the sender is fixed', async () => {
    const p = await program(db, { deadlineInDays: 4, users: [{ name: 'refused' }] });
    const u = p.users.refused!;
    const wrongSender = { webhookUrl: null, emailFrom: 'not-verified@elsewhere.example' };
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: wrongSender })).toMatchObject({ due: 1, failed: 1 });
    expect(await sendsOf(db, u.userName)).toMatchObject([{ status: 'failed', attempts: 1, error: expect.stringMatching(/^MessageRejected: .*not verified/) }]);
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 1, sent: 1 });
    expect(await sendsOf(db, u.userName)).toMatchObject([{ status: 'sent', attempts: 2, error: null }]);
    expect(await capturedEmailsTo(motoUrl, u.address!)).toHaveLength(1);
  });

  it('marks a send stuck in `sending` for over 15 minutes as unknown and never resends it', async () => {
    const p = await program(db, { deadlineInDays: 6, users: [{ name: 'crashed' }, { name: 'inflight' }] });
    const stuck = (u: { userName: string; address: string | null }, minutesAgo: number) =>
      db.insert(reminderSends).values({
        accountId: ACCOUNT,
        userName: u.userName,
        deadline: p.deadline,
        step: '7d',
        channel: 'email',
        recipient: u.address,
        status: 'sending',
        trigger: 'schedule',
        actor: 'instance-that-died',
        claimedAt: sql`now() - ${minutesAgo}::int * interval '1 minute'`,
      });
    await stuck(p.users.crashed!, 20);
    await stuck(p.users.inflight!, 2);

    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    expect(summary).toMatchObject({ markedUnknown: 1, due: 2, sent: 0, alreadySent: 2 });
    expect(await sendsOf(db, p.users.crashed!.userName)).toMatchObject([{ status: 'unknown', error: expect.stringMatching(/not resent/) }]);
    expect(await sendsOf(db, p.users.inflight!.userName)).toMatchObject([{ status: 'sending' }]);
    expect(await capturedEmailsTo(motoUrl, p.users.crashed!.address!)).toHaveLength(0);

    const record = await listReminderSends(admin, parseReminderFilters({ status: 'unknown' }));
    expect(record.rows.map((r) => r.userName)).toEqual([p.users.crashed!.userName]);
  });
});

describe('the webhook', () => {
  let server: Server;
  let url: string;
  let status = 200;
  const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret-token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    received.length = 0;
    status = 200;
  });

  it('POSTs Slack-compatible JSON per user, also for a user without an email tag, and records only the host', async () => {
    const p = await program(db, { deadlineInDays: 0.5, users: [{ name: 'hooked' }, { name: 'tagless', email: null }] });
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: url } });
    expect(summary).toMatchObject({ channels: ['webhook'], due: 2, sent: 2 });
    expect(received).toHaveLength(2);
    expect(received[0]!.headers['content-type']).toMatch(/^application\/json/);
    const hooked = received.map((r) => r.body as { text: string; blocks: { type: string }[] }).find((b) => b.text.includes(p.users.hooked!.userName))!;
    expect(hooked.text).toContain(`(owner: ${p.users.hooked!.address})`);
    expect(hooked.text).toContain('in less than a day');
    expect(hooked.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(received.some((r) => (r.body as { text: string }).text.includes(`${p.users.tagless!.userName}`) && (r.body as { text: string }).text.includes('(no email tag)'))).toBe(true);

    const [row] = await sendsOf(db, p.users.hooked!.userName);
    expect(row).toMatchObject({ channel: 'webhook', step: '1d', status: 'sent', recipient: new URL(url).host });
    expect(JSON.stringify(await db.select().from(reminderSends))).not.toContain('secret-token');
  });

  it('records a webhook answering 500 as failed, with the status', async () => {
    const p = await program(db, { deadlineInDays: 2, users: [{ name: 'fivehundred' }] });
    status = 500;
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: url } });
    expect(summary).toMatchObject({ due: 1, sent: 0, failed: 1 });
    expect(await sendsOf(db, p.users.fivehundred!.userName)).toMatchObject([{ channel: 'webhook', status: 'failed', error: 'The webhook answered HTTP 500 Internal Server Error.' }]);
  });

  it('sends on both channels when both are configured, each once', async () => {
    const p = await program(db, { deadlineInDays: 10, users: [{ name: 'both' }] });
    const options = { config: { webhookUrl: url } };
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, options)).toMatchObject({ channels: ['email', 'webhook'], due: 2, sent: 2 });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, options)).toMatchObject({ due: 2, sent: 0, alreadySent: 2 });
    expect(received).toHaveLength(1);
    expect(await capturedEmailsTo(motoUrl, p.users.both!.address!)).toHaveLength(1);
    expect((await sendsOf(db, p.users.both!.userName)).map((r) => [r.channel, r.step, r.status]).sort()).toEqual([
      ['email', '14d', 'sent'],
      ['webhook', '14d', 'sent'],
    ]);
  });
});

describe('send a reminder now', () => {
  it('emails an in-scope user at once, outside the schedule, and audits it', async () => {
    const p = await program(db, { deadlineInDays: 20, users: [{ name: 'urgent' }] });
    const u = p.users.urgent!;
    const result = await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: emailOnly });
    expect(result).toMatchObject({ status: 'success', message: `Reminder sent to ${u.userName} by email to ${u.address}.` });
    const [mail] = await capturedEmailsTo(motoUrl, u.address!);
    expect(mail!.subject).toContain(u.userName);
    const [row] = await sendsOf(db, u.userName);
    expect(row).toMatchObject({ channel: 'email', status: 'sent', trigger: 'manual', actor: admin.id, step: expect.stringMatching(/^manual-/) });
    // A second one is a new send, not a duplicate of the first.
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: emailOnly })).toMatchObject({ status: 'success' });
    expect(await capturedEmailsTo(motoUrl, u.address!)).toHaveLength(2);
    const audit = (await db.select().from(auditLog).where(eq(auditLog.action, 'reminders.send-now'))).at(-1);
    expect(audit).toMatchObject({ actor: admin.id, target: `arn:aws:iam::${ACCOUNT}:user/${u.userName}`, outcome: 'success' });
  });

  it('sends to the webhook alone for a user without an email tag, and says why there was no email', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const p = await program(db, { deadlineInDays: 20, users: [{ name: 'notag', email: null }] });
      const u = p.users.notag!;
      const result = await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: { webhookUrl: `http://${host}/hook` } });
      expect(result).toMatchObject({
        status: 'success',
        message: `Reminder sent to ${u.userName} to the webhook (${host}). Not sent by email: No email tag (email) on the IAM user: not emailed.`,
      });
      expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: emailOnly })).toMatchObject({ status: 'error', code: 'NoRecipient' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a member, an out-of-scope user, a compliant user and a user the inventory does not have, with a reason', async () => {
    const p = await program(db, { deadlineInDays: 20, users: [{ name: 'fine', devices: ['virtual'] }, { name: 'noconsole', consoleAccess: false }, { name: 'target' }] });
    await expect(sendReminderNow(member, { accountId: ACCOUNT, userName: p.users.target!.userName })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: p.users.fine!.userName }, { config: emailOnly })).toMatchObject({
      status: 'error',
      code: 'AlreadyCompliant',
      message: expect.stringContaining('already has the MFA its category requires'),
    });
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: p.users.noconsole!.userName }, { config: emailOnly })).toMatchObject({
      status: 'error',
      code: 'NotInScope',
      message: expect.stringContaining('no console password'),
    });
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: 'nobody-here' }, { config: emailOnly })).toMatchObject({ status: 'error', code: 'NotInInventory' });
    expect(await sendReminderNow(admin, { accountId: '999999999999', userName: 'x' }, { config: emailOnly })).toMatchObject({ status: 'error', code: 'UnmanagedAccount' });
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: 'bad name!' }, { config: emailOnly })).toMatchObject({ status: 'error', code: 'InvalidInput' });
    await db.insert(programDecisions).values({ accountId: ACCOUNT, userName: p.users.target!.userName, decision: 'out-of-scope', reason: 'leaving', decidedBy: admin.id });
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: p.users.target!.userName }, { config: emailOnly })).toMatchObject({ code: 'NotInScope', message: expect.stringContaining('Out of scope') });
    expect(await db.select().from(reminderSends)).toEqual([]);
  });
});

describe('the record', () => {
  it('lists sends newest first with status and user filters and paging, for admins only', async () => {
    const p = await program(db, { deadlineInDays: 5, users: Array.from({ length: 30 }, (_, i) => ({ name: `rec${String(i).padStart(2, '0')}`, email: i === 0 ? null : undefined })) });
    await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    const page1 = await listReminderSends(admin, parseReminderFilters({}));
    expect(page1.total).toBe(30);
    expect(page1.rows).toHaveLength(25);
    expect(page1.rows[0]).toMatchObject({ accountLabel: 'Development', stepLabel: '7 days before' });
    expect((await listReminderSends(admin, parseReminderFilters({ page: '2' }))).rows).toHaveLength(5);
    const failed = await listReminderSends(admin, parseReminderFilters({ status: 'failed' }));
    expect(failed.rows.map((r) => r.userName)).toEqual([p.users.rec00!.userName]);
    expect((await listReminderSends(admin, parseReminderFilters({ q: p.users.rec07!.userName }))).rows.map((r) => r.userName)).toEqual([p.users.rec07!.userName]);
    await expect(listReminderSends(member, parseReminderFilters({}))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
