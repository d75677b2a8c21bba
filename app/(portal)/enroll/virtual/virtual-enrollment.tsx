'use client';

import { ActionForm } from '@/components/ui/action-form';
import { useActionState, useEffect, useRef, useState } from 'react';
import { cancelVirtualAction, completeVirtualAction, startVirtualAction } from '../actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { StartedEnrollment } from '@/lib/enrollment/virtual';
import { endsSetup } from '@/lib/enrollment/setup-ended';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CodePairFields, Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

type Props = { principal: string; userName: string; accountLabel: string; defaultName: string };

export function VirtualEnrollment(props: Props) {
  const [started, startAction, starting] = useActionState<ActionResult<StartedEnrollment>, FormData>(startVirtualAction, idle);
  const [cancelled, setCancelled] = useState(false);
  // A setup the server ended (too many codes, expired, ...): its QR code and key are dead, so step 1 returns with why.
  const [ended, setEnded] = useState<{ enrollmentId: string; message: string } | null>(null);
  const active = started.status === 'success' && !cancelled && ended?.enrollmentId !== started.data.enrollmentId ? started.data : null;
  const endedRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ended && !active) endedRef.current?.focus();
  }, [ended, active]);

  if (!active) {
    return (
      <Card aria-labelledby="name-heading">
        {ended && (
          <div ref={endedRef} tabIndex={-1} className="mb-4 outline-none" data-testid="setup-ended">
            <Alert tone="error" title="That setup has ended">
              {ended.message}
            </Alert>
          </div>
        )}
        <h2 id="name-heading" className="text-lg font-semibold">1. Name the device</h2>
        <p className="mt-1 text-sm text-slate-700">
          The name helps you tell your devices apart later (for example, the phone it is on). It is shown in the AWS console.
        </p>
        <ActionForm
          action={(fd) => {
            setCancelled(false);
            setEnded(null);
            startAction(fd);
          }}
          className="mt-4 space-y-4"
        >
          <input type="hidden" name="principal" value={props.principal} />
          <Field
            label="Device name"
            name="deviceName"
            defaultValue={props.defaultName}
            required
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            hint="Letters, digits and _ + = , . @ - only."
            errors={fieldErrors(started)?.deviceName}
          />
          <ResultAlert result={started.status === 'success' ? idle : started} />
          <Button type="submit" disabled={starting} aria-busy={starting}>
            {starting ? 'Creating the device in AWS…' : 'Create and show the QR code'}
          </Button>
        </ActionForm>
      </Card>
    );
  }
  return (
    <ScanAndConfirm
      key={active.enrollmentId}
      enrollment={active}
      onCancelled={() => setCancelled(true)}
      onEnded={(message) => setEnded({ enrollmentId: active.enrollmentId, message })}
    />
  );
}

function Countdown({ until }: { until: string }) {
  const [left, setLeft] = useState(() => Date.parse(until) - Date.now());
  useEffect(() => {
    const t = setInterval(() => setLeft(Date.parse(until) - Date.now()), 1000);
    return () => clearInterval(t);
  }, [until]);
  if (left <= 0) return <span className="font-semibold text-red-700">This setup has expired. Cancel and start again.</span>;
  const m = Math.floor(left / 60_000);
  const s = Math.floor((left % 60_000) / 1000);
  return (
    <span>
      Finish within <span className="font-mono">{m}:{String(s).padStart(2, '0')}</span> minutes.
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        await navigator.clipboard.writeText(text.replace(/\s/g, ''));
        setCopied(true);
        setTimeout(() => setCopied(false), 3000);
      }}
    >
      <span aria-live="polite">{copied ? 'Copied' : 'Copy key'}</span>
    </Button>
  );
}

/**
 * The `otpauth://` link: the phone hands it to the authenticator app installed on it. Its only copy is this element
 * (no storage, no URL of ours, no analytics), and it opens in the app, so no referrer or history entry carries it.
 */
function AddToAppLink({ enrollment }: { enrollment: StartedEnrollment }) {
  return (
    <div className="space-y-1 md:pointer-fine:col-start-2 md:pointer-fine:row-start-1">
      <a
        href={enrollment.otpauthUri}
        referrerPolicy="no-referrer"
        data-testid="otpauth-link"
        className="inline-flex min-h-12 w-full items-center justify-center rounded-lg bg-brand-600 px-4 py-3 text-base font-semibold text-white hover:bg-brand-700 md:pointer-fine:min-h-11 md:pointer-fine:w-auto md:pointer-fine:justify-start md:pointer-fine:bg-transparent md:pointer-fine:px-0 md:pointer-fine:py-2 md:pointer-fine:text-sm md:pointer-fine:font-medium md:pointer-fine:text-brand-700 md:pointer-fine:underline md:pointer-fine:hover:bg-transparent"
      >
        Add to authenticator app
      </a>
      <p className="text-sm text-slate-700 md:pointer-fine:hidden">On this phone: opens your authenticator app with the account filled in. Come back here for the codes.</p>
      <p className="hidden text-xs text-slate-600 md:pointer-fine:block">Or, if an authenticator app is installed on this computer, open it there directly.</p>
    </div>
  );
}

function ScanAndConfirm({ enrollment, onCancelled, onEnded }: { enrollment: StartedEnrollment; onCancelled: () => void; onEnded: (message: string) => void }) {
  const [result, confirm, confirming] = useActionState<ActionResult, FormData>(completeVirtualAction, idle);
  useEffect(() => {
    if (result.status === 'error' && endsSetup(result.code)) onEnded(result.message);
  }, [result, onEnded]);
  const [cancelResult, cancel, cancelling] = useActionState<ActionResult, FormData>(async (prev, fd) => {
    const r = await cancelVirtualAction(prev, fd);
    if (r.status === 'idle') onCancelled();
    return r;
  }, idle);

  return (
    <div className="space-y-4">
      <Card aria-labelledby="scan-heading">
        <h2 id="scan-heading" className="text-lg font-semibold">2. Scan the QR code</h2>
        <p className="mt-1 text-sm text-slate-700">
          Open your authenticator app (for example Google Authenticator, Microsoft Authenticator, 1Password or Authy), add an
          account and scan this code, or on the phone that holds the app, choose <em>Add to authenticator app</em>. <Countdown until={enrollment.expiresAt} />
        </p>
        {/*
          One layout, switched by CSS alone: a phone (narrow or touch) gets the link first and large, since the app is on
          the same device and cannot scan its own screen; a desktop (wide with a mouse) keeps the QR code first and the
          link as a quiet option beside it.
        */}
        <div className="mt-4 grid gap-4 md:pointer-fine:grid-cols-[auto_minmax(0,1fr)] md:pointer-fine:gap-x-6">
          <AddToAppLink enrollment={enrollment} />
          {/* eslint-disable-next-line @next/next/no-img-element -- a generated data URL, not an optimisable asset */}
          <img
            src={enrollment.qrCode}
            alt={`QR code to add ${enrollment.userName} to an authenticator app`}
            width={220}
            height={220}
            className="rounded-lg border border-slate-200 bg-white md:pointer-fine:col-start-1 md:pointer-fine:row-span-2 md:pointer-fine:row-start-1"
          />
          <div className="min-w-0 space-y-2 md:pointer-fine:col-start-2 md:pointer-fine:row-start-2">
            <p className="text-sm font-medium" id="manual-key-label">
              Can&apos;t scan? Type this setup key instead (time-based):
            </p>
            <p aria-labelledby="manual-key-label" data-testid="manual-key" className="font-mono text-lg tracking-wider break-all">
              {enrollment.manualKey}
            </p>
            <CopyButton text={enrollment.manualKey} />
            <p className="text-xs text-slate-600">
              Shown only now: the portal does not keep this key, the link or the QR code. Anyone who sees them can generate your codes, so don&apos;t
              share them or take a screenshot.
            </p>
          </div>
        </div>
      </Card>
      <Card aria-labelledby="codes-heading">
        <h2 id="codes-heading" className="text-lg font-semibold">3. Enter two codes in a row</h2>
        <ActionForm action={confirm} className="mt-4 space-y-4">
          <input type="hidden" name="enrollmentId" value={enrollment.enrollmentId} />
          <CodePairFields errors={fieldErrors(result)} disabled={confirming} />
          <ResultAlert result={result} />
          <div className="flex flex-wrap gap-3">
            <Button type="submit" disabled={confirming} aria-busy={confirming}>
              {confirming ? 'Checking with AWS…' : 'Turn on MFA'}
            </Button>
          </div>
        </ActionForm>
        <ActionForm action={cancel} className="mt-3">
          <input type="hidden" name="enrollmentId" value={enrollment.enrollmentId} />
          <ResultAlert result={cancelResult} />
          <Button type="submit" variant="secondary" disabled={cancelling || confirming}>
            {cancelling ? 'Cancelling…' : 'Cancel this setup'}
          </Button>
        </ActionForm>
      </Card>
    </div>
  );
}
