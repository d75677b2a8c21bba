'use client';

import { useActionState, useId, useState } from 'react';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { TextAreaField } from '@/components/ui/field';
import { idle, type ActionResult } from '@/lib/actions/result';
import { cancelRecoveryAction, reportLostDeviceAction } from './recovery/actions';

const WHAT = [
  ['lost', 'Lost'],
  ['broken', 'Broken or reset'],
  ['stolen', 'Stolen'],
] as const;

/** Reporting needs nothing from the device: the person may no longer have it. */
export function ReportLostDevice({ principal, userName, device }: { principal: string; userName: string; device: { serial: string; name: string } }) {
  const [open, setOpen] = useState(false);
  const [result, action, pending] = useActionState<ActionResult<{ id: number }>, FormData>(reportLostDeviceAction, idle);
  const errors = fieldErrors(result);
  const whatErrorId = useId();
  return (
    <div className="mt-2 space-y-3">
      <Button variant="secondary" aria-expanded={open} onClick={() => setOpen((v) => !v)} aria-label={`Report ${device.name} lost or broken`}>
        Report lost or broken device
      </Button>
      {open && (
        <ActionForm action={action} className="space-y-3 rounded-lg bg-amber-50 p-3" aria-label={`Report ${device.name} lost or broken`}>
          <p className="text-sm">
            An administrator verifies who you are, then deactivates <strong className="font-mono">{device.name}</strong> and gives {userName} time to enroll a new device.
            You do not need the device for this.
          </p>
          <input type="hidden" name="principal" value={principal} />
          <input type="hidden" name="serial" value={device.serial} />
          <fieldset aria-describedby={errors?.what ? whatErrorId : undefined}>
            <legend className="text-sm font-medium">What happened?</legend>
            {WHAT.map(([value, label]) => (
              <label key={value} className="mr-4 inline-flex min-h-11 items-center gap-2">
                <input type="radio" name="what" value={value} required /> {label}
              </label>
            ))}
            <p id={whatErrorId} aria-live="polite" className="text-sm text-red-700">{errors?.what?.join(' ')}</p>
          </fieldset>
          <TextAreaField label="Anything the administrator should know (optional)" name="note" maxLength={500} hint="Never type a code or a password here." errors={errors?.note} />
          <ResultAlert result={result} />
          <Button type="submit" disabled={pending} aria-busy={pending}>
            {pending ? 'Reporting…' : 'Send report'}
          </Button>
        </ActionForm>
      )}
    </div>
  );
}

export function CancelRecovery({ id, deviceName }: { id: number; deviceName: string }) {
  const [result, action, pending] = useActionState<ActionResult<{ id: number }>, FormData>(cancelRecoveryAction, idle);
  return (
    <ActionForm action={action} className="mt-2 space-y-2" aria-label={`Cancel the report about ${deviceName}`}>
      <input type="hidden" name="id" value={id} />
      <ResultAlert result={result} />
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Cancelling…' : 'Cancel report'}
      </Button>
    </ActionForm>
  );
}
