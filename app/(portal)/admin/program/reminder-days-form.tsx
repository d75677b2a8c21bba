'use client';

import { useActionState } from 'react';
import { setReminderDaysAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

export function ReminderDaysForm({ days }: { days: number[] }) {
  const [result, save, pending] = useActionState<ActionResult<{ days: number[] }>, FormData>(setReminderDaysAction, idle);
  return (
    <ActionForm action={save} className="flex flex-col gap-3 sm:flex-row sm:items-start" aria-label="Reminder days">
      <Field
        className="sm:w-72"
        label="Remind this many days before each deadline"
        name="reminderDays"
        defaultValue={days.join(', ')}
        required
        maxLength={200}
        hint="Comma-separated, e.g. 14, 7, 1."
        errors={fieldErrors(result)?.reminderDays}
      />
      <Button type="submit" className="sm:mt-6" disabled={pending} aria-busy={pending}>{pending ? 'Saving…' : 'Save'}</Button>
      <div className="sm:mt-6"><ResultAlert result={result} /></div>
    </ActionForm>
  );
}
