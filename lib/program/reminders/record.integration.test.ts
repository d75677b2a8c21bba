import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '@/lib/auth/roles';
import { parseReminderFilters } from '../reminder-plan';
import { listReminderSends } from './record';
import { runReminders } from './run';
import { admin, emailOnly, member, program, reminderStack } from './test-setup';

const stack = reminderStack();

describe('the record', () => {
  it('lists sends newest first with status and user filters and paging, for admins only', async () => {
    const p = await program(stack.db, { deadlineInDays: 5, users: Array.from({ length: 30 }, (_, i) => ({ name: `rec${String(i).padStart(2, '0')}`, email: i === 0 ? null : undefined })) });
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
