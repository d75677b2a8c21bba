'use client';

import { useActionState, useId } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

export type ExtensionAction = (state: ActionResult<{ granted: boolean; endsAt: Date }>, form: FormData) => Promise<ActionResult<{ granted: boolean; endsAt: Date }>>;

/** A member asks for more time for one of their IAM users: days and a reason. `action`: the route's server action. */
export function ExtensionForm({ accountId, userName, hint, action }: { accountId: string; userName: string; hint: string; action: ExtensionAction }) {
  const [result, ask, pending] = useActionState<ActionResult<{ granted: boolean; endsAt: Date }>, FormData>(action, idle);
  const reasonId = useId();
  const errors = fieldErrors(result);
  return (
    <details className="mt-3 rounded-lg border border-slate-200 p-3" data-testid="extension">
      <summary className="min-h-11 cursor-pointer py-2 font-medium">Ask for more time</summary>
      <ActionForm action={ask} className="mt-2 space-y-3" aria-label={`Ask for more time for ${userName}`}>
        <input type="hidden" name="user" value={`${accountId}/${userName}`} />
        <p className="text-sm text-slate-700">{hint}</p>
        <Field label="More days" name="days" type="number" inputMode="numeric" min={1} max={365} required errors={errors?.days} className="max-w-40" />
        <div>
          <label htmlFor={reasonId} className="block text-sm font-medium">
            Why
          </label>
          <textarea
            id={reasonId}
            name="reason"
            rows={2}
            required
            minLength={5}
            maxLength={500}
            aria-describedby={`${reasonId}-error`}
            className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base"
          />
          <p id={`${reasonId}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
            {errors?.reason?.join(' ')}
          </p>
        </div>
        <Button type="submit" disabled={pending}>
          Ask
        </Button>
        <ResultAlert result={result} />
      </ActionForm>
    </details>
  );
}
