import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { capturedEmailsTo } from '@/test-support/ses';
import { auditLog, programDecisions, reminderSends } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import { sendReminderNow } from './send-now';
import { ACCOUNT, admin, emailOnly, member, program, sendsOf, reminderStack } from './test-setup';

const stack = reminderStack();

describe('send a reminder now', () => {
  it('emails an in-scope user at once, outside the schedule, and audits it', async () => {
    const p = await program(stack.db, { deadlineInDays: 20, users: [{ name: 'urgent' }] });
    const u = p.users.urgent!;
    const result = await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: emailOnly });
    expect(result).toMatchObject({ status: 'success', message: `Reminder sent to ${u.userName} by email to ${u.address}.` });
    const [mail] = await capturedEmailsTo(stack.motoUrl, u.address!);
    expect(mail!.subject).toContain(u.userName);
    const [row] = await sendsOf(stack.db, u.userName);
    expect(row).toMatchObject({ channel: 'email', status: 'sent', trigger: 'manual', actor: admin.id, step: expect.stringMatching(/^manual-/) });
    // A second one is a new send, not a duplicate of the first.
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: u.userName }, { config: emailOnly })).toMatchObject({ status: 'success' });
    expect(await capturedEmailsTo(stack.motoUrl, u.address!)).toHaveLength(2);
    const audit = (await stack.db.select().from(auditLog).where(eq(auditLog.action, 'reminders.send-now'))).at(-1);
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
      const p = await program(stack.db, { deadlineInDays: 20, users: [{ name: 'notag', email: null }] });
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
    const p = await program(stack.db, { deadlineInDays: 20, users: [{ name: 'fine', devices: ['virtual'] }, { name: 'noconsole', consoleAccess: false }, { name: 'target' }] });
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
    await stack.db.insert(programDecisions).values({ accountId: ACCOUNT, userName: p.users.target!.userName, decision: 'out-of-scope', reason: 'leaving', decidedBy: admin.id });
    expect(await sendReminderNow(admin, { accountId: ACCOUNT, userName: p.users.target!.userName }, { config: emailOnly })).toMatchObject({ code: 'NotInScope', message: expect.stringContaining('Out of scope') });
    expect(await stack.db.select().from(reminderSends)).toEqual([]);
  });
});
