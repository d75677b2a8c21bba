'use client';

import { ActionForm } from '@/components/ui/action-form';
import { useActionState, useState } from 'react';
import { useAnnounceRemoval } from '@/components/enrollment/removed-notice';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { recordConsoleTestAction, removeAction, resyncAction, testCliAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { Button } from '@/components/ui/button';
import { CodePairFields, Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

type Props = { principal: string; userName: string; device: MfaDevice; signInMethod: 'oidc' | 'aws-keys' };
type Panel = 'none' | 'resync' | 'remove' | 'test';

export function DeviceActions(props: Props) {
  const [panel, setPanel] = useState<Panel>('none');
  const toggle = (p: Panel) => setPanel((cur) => (cur === p ? 'none' : p));
  const label = props.device.name;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {props.device.type !== 'fido' && (
          <Button variant="secondary" aria-expanded={panel === 'resync'} onClick={() => toggle('resync')} aria-label={`Resync ${label}`}>
            Resync
          </Button>
        )}
        <Button variant="secondary" aria-expanded={panel === 'test'} onClick={() => toggle('test')} aria-label={`Test ${label}`}>
          Test
        </Button>
        <Button variant="secondary" aria-expanded={panel === 'remove'} onClick={() => toggle('remove')} aria-label={`Remove ${label}`}>
          Remove
        </Button>
      </div>
      {panel === 'resync' && <ResyncForm {...props} />}
      {panel === 'remove' && <RemoveForm {...props} />}
      {panel === 'test' && <TestForms {...props} />}
    </div>
  );
}

function Hidden({ principal, serial }: { principal: string; serial: string }) {
  return (
    <>
      <input type="hidden" name="principal" value={principal} />
      <input type="hidden" name="serial" value={serial} />
    </>
  );
}

function ResyncForm({ principal, device }: Props) {
  const [result, action, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(resyncAction, idle);
  // This form mounts only after a click, so it always runs in the browser and reads the browser's zone.
  const utcOffset = String(-new Date().getTimezoneOffset());
  return (
    <ActionForm action={action} className="space-y-3 rounded-lg bg-slate-50 p-3" aria-label={`Resync ${device.name}`}>
      <p className="text-sm">If AWS stopped accepting this device&apos;s codes (its clock drifted), enter two codes in a row to resynchronise it.</p>
      <Hidden principal={principal} serial={device.serial} />
      {device.type === 'virtual' && (
        <>
          <input type="hidden" name="utcOffsetMinutes" value={utcOffset} />
          <Field
            label="Time on your phone now"
            name="deviceTime"
            type="time"
            required
            className="sm:w-48"
            hint="Hours and minutes, as shown on the phone with the authenticator app. A phone clock that is off must be fixed first."
            errors={fieldErrors(result)?.deviceTime}
          />
        </>
      )}
      <CodePairFields errors={fieldErrors(result)} disabled={pending} />
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Resyncing…' : 'Resync device'}
      </Button>
    </ActionForm>
  );
}

function RemoveForm({ principal, userName, device, signInMethod }: Props) {
  const router = useRouter();
  const announce = useAnnounceRemoval();
  // Announced from the action itself: the re-read list unmounts this form in the same update as the result.
  const [result, action, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(async (prev, fd) => {
    const r = await removeAction(prev, fd);
    if (r.status === 'success' && r.message) announce(r.message);
    return r;
  }, idle);
  const reauth = result.status === 'error' && result.code === 'ReauthRequired';
  return (
    <ActionForm action={action} className="space-y-3 rounded-lg bg-red-50 p-3" aria-label={`Remove ${device.name}`}>
      <p className="text-sm">
        Remove <strong className="font-mono">{device.name}</strong> from {userName}? It will no longer be accepted at sign-in
        {device.type === 'virtual' ? ' and its AWS record is deleted' : ''}.
      </p>
      <Hidden principal={principal} serial={device.serial} />
      <ResultAlert result={result} />
      {reauth ? (
        <Button
          onClick={() =>
            signInMethod === 'oidc'
              ? void signIn('oidc', { callbackUrl: '/devices' }, { prompt: 'login' })
              : router.push('/signin?reauth=1&callbackUrl=%2Fdevices')
          }
        >
          Sign in again
        </Button>
      ) : (
        <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
          {pending ? 'Removing…' : 'Remove device'}
        </Button>
      )}
    </ActionForm>
  );
}

function TestForms({ principal, device }: Props) {
  const [cli, cliAction, cliPending] = useActionState<ActionResult<{ serial: string }>, FormData>(testCliAction, idle);
  const [con, conAction, conPending] = useActionState<ActionResult<{ serial: string }>, FormData>(recordConsoleTestAction, idle);
  return (
    <div className="grid gap-3 lg:grid-cols-2">
      <ActionForm action={conAction} className="space-y-3 rounded-lg bg-slate-50 p-3" aria-label={`Record a console sign-in test of ${device.name}`}>
        <p className="text-sm font-semibold">Console sign-in</p>
        <p className="text-sm">Sign out of the AWS console, sign in again with this device, then record what happened.</p>
        <Hidden principal={principal} serial={device.serial} />
        <fieldset>
          <legend className="text-sm font-medium">Did it work?</legend>
          <label className="mr-4 inline-flex min-h-11 items-center gap-2">
            <input type="radio" name="outcome" value="passed" required /> Yes, I signed in
          </label>
          <label className="inline-flex min-h-11 items-center gap-2">
            <input type="radio" name="outcome" value="failed" /> No
          </label>
        </fieldset>
        <Field label="Error you saw (if it failed)" name="errorSeen" maxLength={300} errors={fieldErrors(con)?.errorSeen} />
        <ResultAlert result={con} />
        <Button type="submit" disabled={conPending}>
          {conPending ? 'Saving…' : 'Record result'}
        </Button>
      </ActionForm>
      {device.type !== 'fido' && (
        <ActionForm action={cliAction} className="space-y-3 rounded-lg bg-slate-50 p-3" aria-label={`Test ${device.name} for the CLI`}>
          <p className="text-sm font-semibold">AWS CLI (access keys)</p>
          <p className="text-sm">Proves the device works for the CLI: the portal asks STS for a session token with your keys and a current code. Nothing is stored.</p>
          <Hidden principal={principal} serial={device.serial} />
          <Field label="Access key ID" name="accessKeyId" autoComplete="off" spellCheck={false} errors={fieldErrors(cli)?.accessKeyId} />
          <Field label="Secret access key" name="secretAccessKey" type="password" autoComplete="off" errors={fieldErrors(cli)?.secretAccessKey} />
          <Field label="Current code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} errors={fieldErrors(cli)?.code} />
          <ResultAlert result={cli} />
          <Button type="submit" disabled={cliPending} aria-busy={cliPending}>
            {cliPending ? 'Asking STS…' : 'Test with the CLI path'}
          </Button>
        </ActionForm>
      )}
    </div>
  );
}
