'use client';

import { useActionState } from 'react';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { TextAreaField } from '@/components/ui/field';
import { idle, type ActionResult } from '@/lib/actions/result';
import { approveRecoveryAction, rejectRecoveryAction } from '../actions';

export function ApproveForm({ id, checklist, graceHours, retry }: { id: number; checklist: string[]; graceHours: number; retry: boolean }) {
  const [result, action, pending] = useActionState<ActionResult<{ id: number; graceEndsAt: Date }>, FormData>(approveRecoveryAction, idle);
  const errors = fieldErrors(result)?.checked;
  return (
    <ActionForm action={action} className="space-y-3" aria-label="Approve the recovery">
      <input type="hidden" name="id" value={id} />
      <fieldset aria-describedby="checklist-error">
        <legend className="font-medium">Before approving, confirm every check the security team set</legend>
        <ul className="mt-2 space-y-1">
          {checklist.map((item, i) => (
            <li key={item}>
              <label className="inline-flex min-h-11 items-start gap-3 py-2">
                <input type="checkbox" name={`check-${i}`} value={item} className="mt-1 size-5" />
                <span>{item}</span>
              </label>
            </li>
          ))}
        </ul>
        <p id="checklist-error" aria-live="polite" className="text-sm text-red-700">{errors?.join(' ')}</p>
      </fieldset>
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Approving…' : retry ? 'Open the grace again' : `Approve: deactivate the device and give ${graceHours} h of grace`}
      </Button>
    </ActionForm>
  );
}

export function RejectForm({ id }: { id: number }) {
  const [result, action, pending] = useActionState<ActionResult<{ id: number }>, FormData>(rejectRecoveryAction, idle);
  return (
    <ActionForm action={action} className="space-y-3" aria-label="Reject the recovery">
      <input type="hidden" name="id" value={id} />
      <TextAreaField label="Reason (the member is told)" name="reason" required minLength={5} maxLength={500} errors={fieldErrors(result)?.reason} />
      <ResultAlert result={result} />
      <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
        {pending ? 'Rejecting…' : 'Reject'}
      </Button>
    </ActionForm>
  );
}
