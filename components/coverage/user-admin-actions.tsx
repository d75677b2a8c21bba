'use client';

import { useActionState } from 'react';
import { deactivateLostDeviceAction, verifyUserAction } from '@/app/(portal)/admin/actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

type Target = { accountId: string; userName: string };

function TargetFields({ accountId, userName }: Target) {
  return (
    <>
      <input type="hidden" name="accountId" value={accountId} />
      <input type="hidden" name="userName" value={userName} />
    </>
  );
}

export function VerifyNow(target: Target) {
  const [result, verify, pending] = useActionState<ActionResult, FormData>(verifyUserAction, idle);
  return (
    <ActionForm action={verify} className="space-y-2" aria-label="Verify now">
      <TargetFields {...target} />
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Checking with AWS…' : 'Verify now'}
      </Button>
      <ResultAlert result={result} />
    </ActionForm>
  );
}

export function DeactivateLostDevice({ device, ...target }: Target & { device: MfaDevice }) {
  const [result, deactivate, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(deactivateLostDeviceAction, idle);
  if (result.status === 'success') return <ResultAlert result={result} />;
  return (
    <details className="rounded-lg bg-red-50 p-3 text-sm">
      <summary className="cursor-pointer font-medium">Deactivate as lost<span className="sr-only"> ({device.name})</span></summary>
      <ActionForm action={deactivate} className="mt-3 space-y-3" aria-label={`Deactivate ${device.name} as lost`}>
        <TargetFields {...target} />
        <input type="hidden" name="serial" value={device.serial} />
        <Field label="Reason (kept in the audit log)" name="reason" required minLength={5} maxLength={300} errors={fieldErrors(result)?.reason} />
        <ResultAlert result={result} />
        <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
          {pending ? 'Deactivating…' : 'Deactivate device'}
        </Button>
      </ActionForm>
    </details>
  );
}
