'use server';

import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { ok } from '@/lib/actions/result';
import { runReminders, sendReminderNow, type ReminderRunSummary } from '@/lib/program/reminders';
import { runSummaryText } from '@/lib/program/reminder-plan';

export const runRemindersAction = defineAction({ name: 'reminders.run', role: 'admin', schema: z.object({}) }, async (actor) => {
  const summary = await runReminders({ actor: actor.id, trigger: 'manual' });
  revalidatePath('/admin/reminders');
  return ok<ReminderRunSummary>(summary, runSummaryText(summary));
});

export const sendReminderNowAction = defineAction(
  {
    name: 'reminders.send-now',
    role: 'admin',
    schema: z.object({
      accountId: z.string().regex(/^\d{12}$/, 'Choose an account.'),
      userName: z.string().trim().regex(/^[\w+=,.@-]{1,64}$/, 'Enter an IAM user name: 1 to 64 letters, digits and +=,.@_-'),
    }),
  },
  async (actor, input) => {
    const result = await sendReminderNow(actor, input);
    // A refusal records nothing; a send (or a failed one) adds rows to the record.
    if (result.status === 'success' || (result.status === 'error' && result.code === 'SendFailed')) revalidatePath('/admin/reminders');
    return result;
  },
);
