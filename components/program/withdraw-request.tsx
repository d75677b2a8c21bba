'use client';

import { useActionState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';

export type WithdrawAction = (state: ActionResult<undefined>, form: FormData) => Promise<ActionResult<undefined>>;

/** The requester takes back an exception request still waiting for an admin (the domain checks it is theirs). */
export function WithdrawRequest({ id, action, userName }: { id: number; action: WithdrawAction; userName: string }) {
  const [result, withdraw, pending] = useActionState<ActionResult<undefined>, FormData>(action, idle);
  return (
    <ActionForm action={withdraw} className="mt-1 inline-block" aria-label={`Withdraw the exception request for ${userName}`}>
      <input type="hidden" name="id" value={id} />
      <ResultAlert result={result} />
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Withdrawing…' : 'Withdraw request'}
      </Button>
    </ActionForm>
  );
}
