'use client';

import { useActionState, useId } from 'react';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { deactivateLostDeviceAction, verifyUserAction } from './actions';
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

export function DeactivateLostDevice({ device, signInMethod, ...target }: Target & { device: MfaDevice; signInMethod: 'oidc' | 'aws-keys' }) {
  const [result, deactivate, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(deactivateLostDeviceAction, idle);
  const router = useRouter();
  const confirmId = useId();
  if (result.status === 'success') return <ResultAlert result={result} />;
  const reauth = result.status === 'error' && result.code === 'ReauthRequired';
  const here = `/admin/users/${target.accountId}/${encodeURIComponent(target.userName)}`;
  const confirmErrors = fieldErrors(result)?.confirm;
  return (
    <details className="rounded-lg bg-red-50 p-3 text-sm">
      <summary className="cursor-pointer font-medium">Deactivate as lost<span className="sr-only"> ({device.name})</span></summary>
      <ActionForm action={deactivate} className="mt-3 space-y-3" aria-label={`Deactivate ${device.name} as lost`}>
        <TargetFields {...target} />
        <input type="hidden" name="serial" value={device.serial} />
        <Field label="Reason (kept in the audit log)" name="reason" required minLength={5} maxLength={300} errors={fieldErrors(result)?.reason} />
        <p id={`${confirmId}-what`}>
          This deactivates <strong className="font-mono">{device.name}</strong> on {target.userName} in AWS: it is no longer accepted at sign-in
          {device.type === 'virtual' ? ' and its AWS record is deleted' : ''}. {target.userName} then has to enroll a new device. It cannot be undone.
        </p>
        <div>
          <label className="inline-flex min-h-11 items-center gap-2">
            <input
              type="checkbox"
              name="confirm"
              value="yes"
              required
              aria-describedby={`${confirmId}-what${confirmErrors?.length ? ` ${confirmId}-error` : ''}`}
              aria-invalid={confirmErrors?.length ? true : undefined}
            />
            I understand what will happen
          </label>
          {confirmErrors?.length ? (
            <p id={`${confirmId}-error`} className="text-sm text-red-700">
              {confirmErrors.join(' ')}
            </p>
          ) : null}
        </div>
        <ResultAlert result={result} />
        {reauth ? (
          <Button
            type="button"
            onClick={() =>
              signInMethod === 'oidc'
                ? void signIn('oidc', { callbackUrl: here }, { prompt: 'login' })
                : router.push(`/signin?reauth=1&callbackUrl=${encodeURIComponent(here)}`)
            }
          >
            Sign in again
          </Button>
        ) : (
          <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
            {pending ? 'Deactivating…' : 'Deactivate device'}
          </Button>
        )}
      </ActionForm>
    </details>
  );
}
