'use client';

import { useActionState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

/**
 * Asks for an exception: a justification and an end date. An admin who did not ask approves or rejects it in the
 * exceptions queue; nobody types who approved it.
 */
export function ExceptionRequestForm<T>({
  action,
  hidden,
  label,
}: {
  action: (state: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;
  /** The target: accountId and userName, or categoryId. Ownership and roles are checked on the server. */
  hidden: Record<string, string>;
  /** The form's accessible name, e.g. "Exception request for alice-ops". */
  label: string;
}) {
  const [result, request, pending] = useActionState<ActionResult<T>, FormData>(action, idle);
  const errors = fieldErrors(result);
  return (
    <ActionForm action={request} className="space-y-3" aria-label={label}>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Field label="Justification" name="reason" required minLength={10} maxLength={1000} errors={errors?.reason} hint="Why MFA cannot apply for now; auditors read this." />
      <Field label="Exception ends (UTC date)" name="expiresAt" type="date" required errors={errors?.expiresAt} hint="At most a year from today. An admin other than you approves or rejects the request." />
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>{pending ? 'Sending…' : 'Request the exception'}</Button>
    </ActionForm>
  );
}
