'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { ExceptionRequestStatus } from '@/lib/db/schema';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { decideExceptionAction } from './actions';

/** Approve or reject one pending request, with a note (required to reject). */
export function RequestDecisionForm({ id, label, own }: { id: number; label: string; own: boolean }) {
  const [result, decide, pending] = useActionState<ActionResult<{ status: ExceptionRequestStatus }>, FormData>(decideExceptionAction, idle);
  const errors = fieldErrors(result);
  if (result.status === 'success')
    return (
      <div className="space-y-2">
        <ResultAlert result={result} />
        <Link className="text-sm underline" href="/admin/exceptions">Reload the register</Link>
      </div>
    );
  return (
    <ActionForm action={decide} className="space-y-2" aria-label={`Decide the request for ${label}`}>
      <input type="hidden" name="id" value={id} />
      {own && <p className="text-sm text-slate-700">You asked for this exception: another admin decides it.</p>}
      <div className="grid gap-2 sm:grid-cols-[12rem_1fr]">
        <Select label="Decision" name="verdict" defaultValue="approve" options={[['approve', 'Approve'], ['reject', 'Reject']]} errors={errors?.verdict} />
        <Field label="Note (required to reject)" name="note" maxLength={1000} errors={errors?.note} />
      </div>
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>{pending ? 'Saving…' : 'Record the decision'}</Button>
    </ActionForm>
  );
}
