import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { capturedEmailsTo } from '@/test-support/ses';
import { DEMO_REMINDER_SENDER } from '@/infra/local/seed';
import { auditLog, programSettings, reminderSends } from '@/lib/db/schema';
import { formatDeadline, parseReminderFilters } from '../reminder-plan';
import { MAX_ATTEMPTS, RETRY_AFTER_MS } from './outbox';
import { listReminderSends } from './record';
import { runReminders } from './run';
import { ACCOUNT, admin, emailOnly, program, sendsOf, reminderStack } from './test-setup';

// Scheduled runs by email (moto SES): who is due, what is recorded, and how failures are retried or given up.
const stack = reminderStack();

describe('scheduled reminders by email (moto SES)', () => {
  it('emails each in-scope user without compliant MFA once, records what it did, and sends nothing new on the next run', async () => {
    const p = await program(stack.db, {
      deadlineInDays: 5,
      allowed: ['virtual', 'fido'],
      users: [{ name: 'nomfa' }, { name: 'hwonly', devices: ['hardware'] }, { name: 'ok', devices: ['virtual'] }, { name: 'untagged', email: null }, { name: 'nocon', consoleAccess: false }],
    });

    const first = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    expect(first).toMatchObject({ off: false, channels: ['email'], due: 3, sent: 2, failed: 0, skipped: 1, alreadySent: 0 });

    const nomfa = p.users.nomfa!;
    const [mail, ...more] = await capturedEmailsTo(stack.motoUrl, nomfa.address!);
    expect(more).toHaveLength(0);
    expect(mail!.source).toBe(DEMO_REMINDER_SENDER);
    expect(mail!.subject).toBe(`Set up MFA for IAM user ${nomfa.userName} in Development in 5 days`);
    expect(mail!.body).toContain(nomfa.userName);
    expect(mail!.body).toContain(formatDeadline(p.deadline));
    expect(mail!.body).toContain('No MFA device');
    expect(mail!.body).toContain(`/enroll?user=${ACCOUNT}/${nomfa.userName}`);
    const [hw] = await capturedEmailsTo(stack.motoUrl, p.users.hwonly!.address!);
    expect(hw!.body).toContain('Only device types this category does not allow');

    const [nomfaSend] = await sendsOf(stack.db, nomfa.userName);
    expect(nomfaSend).toMatchObject({ step: '7d', channel: 'email', recipient: nomfa.address, status: 'sent', attempts: 1, messageId: mail!.id, trigger: 'schedule', actor: 'scheduler', categoryId: p.categoryId });
    expect(nomfaSend!.sentAt).toBeInstanceOf(Date);
    expect(await sendsOf(stack.db, p.users.untagged!.userName)).toMatchObject([{ channel: 'email', status: 'failed', recipient: null, error: expect.stringMatching(/^No email tag \(email\)/) }]);
    expect(await sendsOf(stack.db, p.users.ok!.userName)).toEqual([]);
    expect(await sendsOf(stack.db, p.users.nocon!.userName)).toEqual([]);

    const second = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly });
    expect(second).toMatchObject({ due: 3, sent: 0, failed: 0, skipped: 1, alreadySent: 2 });
    expect(await capturedEmailsTo(stack.motoUrl, nomfa.address!)).toHaveLength(1);
    expect(await capturedEmailsTo(stack.motoUrl, p.users.hwonly!.address!)).toHaveLength(1);

    const audits = await stack.db.select().from(auditLog).where(eq(auditLog.action, 'reminders.run'));
    expect(audits.at(-1)).toMatchObject({ actor: 'scheduler', outcome: 'success', detail: expect.objectContaining({ trigger: 'schedule', sent: 0, alreadySent: 2 }) });
  });

  it('sends nothing before the first step or after the deadline, and only the due step after the days change', async () => {
    const far = await program(stack.db, { deadlineInDays: 30, users: [{ name: 'far' }] });
    const past = await program(stack.db, { deadlineInDays: -1, users: [{ name: 'past' }] });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 0, sent: 0 });
    // One step is also the last one: not escalated here (messages/escalation.integration.test.ts covers that).
    await stack.db.update(programSettings).set({ reminderDays: [40], escalateSteps: 0 });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 1, sent: 1 });
    expect(await sendsOf(stack.db, far.users.far!.userName)).toMatchObject([{ step: '40d', status: 'sent' }]);
    expect(await sendsOf(stack.db, past.users.past!.userName)).toEqual([]);
  });

  it('is off, and records nothing, when no channel is configured', async () => {
    const p = await program(stack.db, { deadlineInDays: 2, users: [{ name: 'quiet' }] });
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: null } });
    expect(summary).toMatchObject({ off: true, channels: [], due: 0, sent: 0 });
    expect(await sendsOf(stack.db, p.users.quiet!.userName)).toEqual([]);
    expect(await capturedEmailsTo(stack.motoUrl, p.users.quiet!.address!)).toEqual([]);
  });
});

describe('failures', () => {
  /** Every request through the proxy fails with 503, more often than the SDK retries. */
  const failSes = () => fetch(`${stack.endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ action: '*', kind: '5xx', status: 503, times: 50 }) });
  /** Moves every recorded attempt back past RETRY_AFTER_MS, on the database's clock. */
  const lastAttemptAgo = () => stack.db.update(reminderSends).set({ claimedAt: sql`now() - make_interval(secs => ${RETRY_AFTER_MS / 1000 + 1})` });
  const healSes = () => fetch(`${stack.endpoint}/_local/faults`, { method: 'DELETE' });

  it('records a failed send and retries it on a later run, at most three attempts in all', async () => {
    const p = await program(stack.db, { deadlineInDays: 4, users: [{ name: 'flaky' }, { name: 'doomed' }] });
    const flaky = p.users.flaky!;
    const doomed = p.users.doomed!;

    await failSes();
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 2, sent: 0, failed: 2 });
    const [failed] = await sendsOf(stack.db, flaky.userName);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, messageId: null });
    expect(failed!.error).toBe('HTTP 503: SES answered with an error the SDK could not read (ServiceFailure)');
    const audit = (await stack.db.select().from(auditLog).where(eq(auditLog.action, 'reminders.run'))).at(-1);
    expect(audit).toMatchObject({ outcome: 'failure', detail: expect.objectContaining({ failed: 2 }) });

    // A run before RETRY_AFTER_MS retries nothing; the next one after it retries both. While SES still fails, the
    // attempts add up to the limit and then stop.
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 2, sent: 0, failed: 0, alreadySent: 2 });
    await lastAttemptAgo();
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ failed: 2 });
    await healSes();
    await stack.db.update(reminderSends).set({ attempts: MAX_ATTEMPTS }).where(eq(reminderSends.userName, doomed.userName));
    await lastAttemptAgo();
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 2, sent: 1, failed: 0, alreadySent: 1 });

    expect(await sendsOf(stack.db, flaky.userName)).toMatchObject([{ status: 'sent', attempts: 3, error: null }]);
    expect(await capturedEmailsTo(stack.motoUrl, flaky.address!)).toHaveLength(1);
    expect(await sendsOf(stack.db, doomed.userName)).toMatchObject([{ status: 'failed', attempts: MAX_ATTEMPTS }]);
    expect(await capturedEmailsTo(stack.motoUrl, doomed.address!)).toHaveLength(0);
  });

  it('records SES refusing an unverified sender, and sends once the sender is fixed', async () => {
    const p = await program(stack.db, { deadlineInDays: 4, users: [{ name: 'refused' }] });
    const u = p.users.refused!;
    const wrongSender = { webhookUrl: null, emailFrom: 'not-verified@elsewhere.example' };
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: wrongSender })).toMatchObject({ due: 1, failed: 1 });
    expect(await sendsOf(stack.db, u.userName)).toMatchObject([{ status: 'failed', attempts: 1, error: expect.stringMatching(/^MessageRejected: .*not verified/) }]);
    await lastAttemptAgo();
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: emailOnly })).toMatchObject({ due: 1, sent: 1 });
    expect(await sendsOf(stack.db, u.userName)).toMatchObject([{ status: 'sent', attempts: 2, error: null }]);
    expect(await capturedEmailsTo(stack.motoUrl, u.address!)).toHaveLength(1);
  });

  it('marks a send stuck in `sending` for over 15 minutes as unknown and never resends it', async () => {
    const p = await program(stack.db, { deadlineInDays: 6, users: [{ name: 'crashed' }, { name: 'inflight' }] });
    const stuck = (u: { userName: string; address: string | null }, minutesAgo: number) =>
      stack.db.insert(reminderSends).values({
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
    expect(await sendsOf(stack.db, p.users.crashed!.userName)).toMatchObject([{ status: 'unknown', error: expect.stringMatching(/not resent/) }]);
    expect(await sendsOf(stack.db, p.users.inflight!.userName)).toMatchObject([{ status: 'sending' }]);
    expect(await capturedEmailsTo(stack.motoUrl, p.users.crashed!.address!)).toHaveLength(0);

    const record = await listReminderSends(admin, parseReminderFilters({ status: 'unknown' }));
    expect(record.rows.map((r) => r.userName)).toEqual([p.users.crashed!.userName]);
  });
});
