'use client';

import { useActionState, useEffect, useRef } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field, identifierInput } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { addTokenAction } from './actions';
import { TokenFields, type AccountOption } from './token-fields';

export function AddTokenForm({ accounts, today }: { accounts: AccountOption[]; today: string }) {
  const [result, add, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(addTokenAction, idle);
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A token added: clear the form for the next one (a refused one keeps what was typed).
    if (result.status === 'success') wrapper.current?.querySelector('form')?.reset();
  }, [result]);
  return (
    <div ref={wrapper}>
      <ActionForm action={add} className="space-y-3" aria-label="Add a token">
        <Field label="Serial number" name="serial" required {...identifierInput} autoCapitalize="characters" className="sm:w-80" hint="As printed on the back of the token, e.g. GAHT12345678." errors={fieldErrors(result)?.serial} />
        <TokenFields accounts={accounts} today={today} result={result} />
        <ResultAlert result={result} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Adding…' : 'Add token'}
        </Button>
      </ActionForm>
    </div>
  );
}
