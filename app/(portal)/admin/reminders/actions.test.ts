import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/auth/types';
import { formData as form } from '@/test-support/form-data';

// The two reminder actions as public endpoints: no session, the wrong role, bad input, then the domain call.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
const domain = vi.hoisted(() => ({ runReminders: vi.fn(), sendReminderNow: vi.fn() }));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
vi.mock('@/lib/program/reminders/run', () => ({ runReminders: domain.runReminders }));
vi.mock('@/lib/program/reminders/send-now', () => ({ sendReminderNow: domain.sendReminderNow }));

const { runRemindersAction, sendReminderNowAction } = await import('./actions');

const member: Actor = { id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', method: 'oidc', roles: ['member'], principals: [], authTime: 0 };
const admin: Actor = { ...member, id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', roles: ['member', 'admin'] };

beforeEach(() => {
  session.actor = null;
  domain.runReminders.mockReset();
  domain.sendReminderNow.mockReset();
});

describe('reminder actions', () => {
  it('refuse a request without a session, and a member, before any domain call', async () => {
    for (const actor of [null, member]) {
      session.actor = actor;
      const code = actor ? 'Forbidden' : 'Unauthenticated';
      expect(await runRemindersAction({ status: 'idle' }, form({}))).toMatchObject({ status: 'error', code });
      expect(await sendReminderNowAction({ status: 'idle' }, form({ accountId: '222222222222', userName: 'bob' }))).toMatchObject({ status: 'error', code });
    }
    expect(domain.runReminders).not.toHaveBeenCalled();
    expect(domain.sendReminderNow).not.toHaveBeenCalled();
  });

  it('validate the target before the domain sees it', async () => {
    session.actor = admin;
    const result = await sendReminderNowAction({ status: 'idle' }, form({ accountId: '123', userName: 'bad name!' }));
    expect(result).toMatchObject({ status: 'invalid', fieldErrors: { accountId: ['Choose an account.'], userName: [expect.stringMatching(/^Enter an IAM user name/)] } });
    expect(domain.sendReminderNow).not.toHaveBeenCalled();
  });

  it('run as the admin, with the summary as the message', async () => {
    session.actor = admin;
    domain.runReminders.mockResolvedValue({ off: false, channels: ['email'], due: 2, sent: 2, failed: 0, skipped: 0, alreadySent: 0, markedUnknown: 0 });
    expect(await runRemindersAction({ status: 'idle' }, form({}))).toMatchObject({ status: 'success', message: '2 reminders due: 2 sent, 0 failed, 0 skipped (no email tag), 0 already sent.' });
    expect(domain.runReminders).toHaveBeenCalledWith({ actor: admin.id, trigger: 'manual' });
    domain.sendReminderNow.mockResolvedValue({ status: 'error', code: 'NotInScope', message: 'no' });
    expect(await sendReminderNowAction({ status: 'idle' }, form({ accountId: '222222222222', userName: ' bob ' }))).toMatchObject({ code: 'NotInScope' });
    expect(domain.sendReminderNow).toHaveBeenCalledWith(admin, { accountId: '222222222222', userName: 'bob' });
  });
});
