'use client';

import { useActionState, useId } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { decideRequestAction } from './actions';

/** Approve, or reject with a reason: two small forms sharing one result. */
export function DecideRequestForm({ id, userName }: { id: number; userName: string }) {
  const [result, decide, pending] = useActionState<ActionResult<{ status: 'active' | 'rejected' }>, FormData>(decideRequestAction, idle);
  const noteId = useId();
  const errors = fieldErrors(result);
  return (
    <div className="mt-3 space-y-3">
      <ActionForm action={decide} aria-label={`Approve the request for ${userName}`}>
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="decision" value="approve" />
        <Button type="submit" disabled={pending}>
          Approve
        </Button>
      </ActionForm>
      <ActionForm action={decide} className="space-y-2" aria-label={`Reject the request for ${userName}`}>
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="decision" value="reject" />
        <div>
          <label htmlFor={noteId} className="block text-sm font-medium">
            Reason (needed to reject)
          </label>
          <textarea id={noteId} name="note" rows={2} maxLength={500} aria-describedby={`${noteId}-error`} className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
          <p id={`${noteId}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
            {errors?.note?.join(' ')}
          </p>
        </div>
        <Button type="submit" variant="danger" disabled={pending}>
          Reject
        </Button>
      </ActionForm>
      <ResultAlert result={result} />
    </div>
  );
}
