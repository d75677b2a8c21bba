'use client';

import { ActionForm } from '@/components/ui/action-form';
import { useActionState } from 'react';
import { enrollHardwareAction } from '../actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { Button } from '@/components/ui/button';
import { CodePairFields, Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

export function HardwareEnrollment({ principal, defaultSerial }: { principal: string; defaultSerial?: string }) {
  const [result, enroll, pending] = useActionState<ActionResult, FormData>(enrollHardwareAction, idle);
  return (
    <ActionForm action={enroll} className="space-y-4">
      <input type="hidden" name="principal" value={principal} />
      <Field
        label="Serial number"
        name="serial"
        defaultValue={defaultSerial}
        required
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="characters"
        className="sm:w-80"
        hint="Printed on the back of the token, e.g. GAHT12345678."
        errors={fieldErrors(result)?.serial}
      />
      <p className="text-sm text-slate-700">Press the token&apos;s button and type the code; wait until the display changes (about 30 seconds), press again and type the next code.</p>
      <CodePairFields errors={fieldErrors(result)} disabled={pending} />
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Checking with AWS…' : 'Turn on MFA with this token'}
      </Button>
    </ActionForm>
  );
}
