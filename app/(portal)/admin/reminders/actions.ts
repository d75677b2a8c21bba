'use server';

import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { ok } from '@/lib/actions/result';
import { accountIdField, userNameField } from '@/lib/iam-identifiers';
import { runReminders, type ReminderRunSummary } from '@/lib/program/reminders/run';
import { sendReminderNow } from '@/lib/program/reminders/send-now';
import { runSummaryText } from '@/lib/program/reminder-plan';

const RECORD = '/admin/reminders';

export const runRemindersAction = defineAction({ name: 'reminders.run', role: 'admin', schema: z.object({}), revalidate: RECORD }, async (actor) => {
  const summary = await runReminders({ actor: actor.id, trigger: 'manual' });
  return ok<ReminderRunSummary>(summary, runSummaryText(summary));
});

export const sendReminderNowAction = defineAction(
  {
    name: 'reminders.send-now',
    role: 'admin',
    schema: z.object({ accountId: accountIdField('Choose an account.'), userName: z.string().trim().pipe(userNameField()) }),
    revalidate: RECORD,
  },
  async (actor, input) => {
    const result = await sendReminderNow(actor, input);
    // A refusal records nothing; a send that failed on every channel still adds rows to the record.
    if (result.status === 'error' && result.code === 'SendFailed') revalidatePath(RECORD);
    return result;
  },
);
