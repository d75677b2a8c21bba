'use client';

import { useActionState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { setAccountContactAction, setEscalateStepsAction, setOwnerContactAction } from './messages/actions';

export function EscalateStepsForm({ value }: { value: number }) {
  const [result, act, pending] = useActionState<ActionResult<{ escalateSteps: number }>, FormData>(setEscalateStepsAction, idle);
  return (
    <ActionForm action={act} aria-label="Escalation" className="flex flex-wrap items-start gap-3">
      <Field
        label="Escalate at the last N steps"
        name="escalateSteps"
        type="number"
        inputMode="numeric"
        min={0}
        max={6}
        defaultValue={String(value)}
        hint="1: only the last step (e.g. 1 day before). 0: never."
        errors={fieldErrors(result)?.escalateSteps}
        className="w-56"
      />
      <Button type="submit" disabled={pending} aria-busy={pending} className="sm:mt-6">
        Save
      </Button>
      <div className="w-full">
        <ResultAlert result={result} />
      </div>
    </ActionForm>
  );
}

export function OwnerContactForm() {
  const [result, act, pending] = useActionState<ActionResult<{ owner: string; email: string | null }>, FormData>(setOwnerContactAction, idle);
  const errors = fieldErrors(result);
  return (
    <ActionForm action={act} aria-label="Owner’s address" className="grid gap-3 sm:grid-cols-[1fr_1fr_auto]">
      <Field label="Owner (as the tag says it)" name="owner" required maxLength={256} autoComplete="off" errors={errors?.owner} />
      <Field label="Email address" name="email" type="email" maxLength={254} autoComplete="off" hint="Empty: remove the owner." errors={errors?.email} />
      <Button type="submit" disabled={pending} aria-busy={pending} className="sm:mt-6">
        Save owner
      </Button>
      <div className="sm:col-span-3">
        <ResultAlert result={result} />
      </div>
    </ActionForm>
  );
}

export function AccountContactForm({ accounts }: { accounts: { id: string; label: string; email: string | null }[] }) {
  const [result, act, pending] = useActionState<ActionResult<{ accountId: string; email: string | null }>, FormData>(setAccountContactAction, idle);
  const errors = fieldErrors(result);
  return (
    <ActionForm action={act} aria-label="Account contact" className="grid gap-3 sm:grid-cols-[1fr_1fr_auto]">
      <div>
        <label htmlFor="account-contact-account" className="block text-sm font-medium">
          AWS account
        </label>
        <select id="account-contact-account" name="accountId" className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base">
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label === a.id ? a.id : `${a.label} (${a.id})`}
            </option>
          ))}
        </select>
        <p className="mt-1 text-sm text-red-700" aria-live="polite">
          {errors?.accountId?.join(' ')}
        </p>
      </div>
      <Field label="Contact address" name="email" type="email" maxLength={254} autoComplete="off" hint="Empty: remove the contact." errors={errors?.email} />
      <Button type="submit" disabled={pending} aria-busy={pending} className="sm:mt-6">
        Save contact
      </Button>
      <div className="sm:col-span-3">
        <ResultAlert result={result} />
      </div>
    </ActionForm>
  );
}
