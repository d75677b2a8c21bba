'use client';

import { useActionState, useId } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { decideRequestAction } from './actions';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

/** Approve, or reject with a reason: one form, the pressed button says which. */
export function DecideRequestForm({ id, userName }: { id: number; userName: string }) {
  const [result, decide, pending] = useActionState<ActionResult<{ status: 'active' | 'rejected' }>, FormData>(decideRequestAction, idle);
  const noteId = useId();
  const errors = fieldErrors(result);
  return (
    <ActionForm action={decide} className="mt-3 space-y-3" aria-label={`Decide the request for ${userName}`}>
      <input type="hidden" name="id" value={id} />
      <div>
        <label htmlFor={noteId} className="block text-sm font-medium">
          Reason (needed to reject)
        </label>
        <textarea id={noteId} name="note" rows={2} maxLength={500} aria-describedby={`${noteId}-error`} className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
        <p id={`${noteId}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {errors?.note?.join(' ')}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" name="decision" value="approve" disabled={pending}>
          Approve
        </Button>
        <Button type="submit" name="decision" value="reject" variant="danger" disabled={pending}>
          Reject
        </Button>
      </div>
      <ResultAlert result={result} />
    </ActionForm>
  );
}
