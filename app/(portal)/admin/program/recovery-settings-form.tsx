'use client';

import { useActionState } from 'react';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field, TextAreaField } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { idle, type ActionResult } from '@/lib/actions/result';
import { setRecoverySettingsAction } from './recovery/actions';

export function RecoverySettingsForm({ checklist, graceHours, maxGraceHours }: { checklist: string[]; graceHours: number; maxGraceHours: number }) {
  const [result, save, pending] = useActionState<ActionResult<{ checklist: string[]; graceHours: number }>, FormData>(setRecoverySettingsAction, idle);
  const errors = fieldErrors(result);
  return (
    <ActionForm action={save} className="space-y-3" aria-label="Lost-device recovery">
      <TextAreaField
        label="Checks an admin confirms before approving"
        name="checklist"
        rows={4}
        defaultValue={checklist.join('\n')}
        required
        maxLength={5000}
        hint="One per line, up to 10. The admin must tick every one."
        errors={errors?.checklist}
      />
      <Field
        className="sm:w-72"
        label="Grace after approval (hours)"
        name="graceHours"
        type="number"
        inputMode="numeric"
        min={1}
        max={maxGraceHours}
        defaultValue={graceHours}
        required
        hint={`1 to ${maxGraceHours} (MFA_RECOVERY_MAX_GRACE_HOURS).`}
        errors={errors?.graceHours}
      />
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>{pending ? 'Saving…' : 'Save'}</Button>
    </ActionForm>
  );
}
