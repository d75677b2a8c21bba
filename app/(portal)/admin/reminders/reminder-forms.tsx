'use client';

import { useActionState, useId } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { ReminderRunSummary } from '@/lib/program/reminders/run';
import type { SendNowResult } from '@/lib/program/reminders/send-now';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { runRemindersAction, sendReminderNowAction } from './actions';

export function RunRemindersForm() {
  const [result, run, pending] = useActionState<ActionResult<ReminderRunSummary>, FormData>(runRemindersAction, idle);
  return (
    <ActionForm action={run} aria-label="Run reminders now" className="space-y-3">
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Sending due reminders…' : 'Run reminders now'}
      </Button>
      <ResultAlert result={result} />
      {result.status === 'success' && !result.data.off && (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-5" data-testid="run-summary">
          {(
            [
              ['Due', result.data.due],
              ['Sent', result.data.sent],
              ['Failed', result.data.failed],
              ['Skipped', result.data.skipped],
              ['Already sent', result.data.alreadySent],
            ] as const
          ).map(([label, n]) => (
            <div key={label}>
              <dt className="text-slate-600">{label}</dt>
              <dd className="text-lg font-semibold">{n}</dd>
            </div>
          ))}
        </dl>
      )}
    </ActionForm>
  );
}

export function SendNowForm({ accounts, accountId, userName }: { accounts: { id: string; label: string }[]; accountId?: string; userName?: string }) {
  const [result, send, pending] = useActionState<ActionResult<SendNowResult>, FormData>(sendReminderNowAction, idle);
  const errors = fieldErrors(result);
  const id = useId();
  return (
    <ActionForm action={send} aria-label="Send a reminder now" className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-account`} className="block text-sm font-medium">
            AWS account
          </label>
          <select
            id={`${id}-account`}
            name="accountId"
            defaultValue={accountId ?? accounts[0]?.id ?? ''}
            aria-invalid={errors?.accountId?.length ? true : undefined}
            aria-describedby={`${id}-account-error`}
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base"
          >
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label === a.id ? a.id : `${a.label} (${a.id})`}
              </option>
            ))}
          </select>
          <p id={`${id}-account-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
            {errors?.accountId?.join(' ')}
          </p>
        </div>
        <Field
          label="IAM user name"
          name="userName"
          defaultValue={userName}
          required
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          hint="Must be in scope of the program and not yet compliant."
          errors={errors?.userName}
        />
      </div>
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Sending…' : 'Send reminder now'}
      </Button>
      <ResultAlert result={result} />
    </ActionForm>
  );
}
