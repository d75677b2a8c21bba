'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { browserSupportsWebAuthn, platformAuthenticatorIsAvailable } from '@simplewebauthn/browser';
import { checkFidoAction } from '../actions';
import { idle } from '@/lib/actions/result';
import { Alert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { doneUrl } from '@/lib/enrollment/done-url';

const POLL_INTERVAL_MS = 3000;
const POLL_LIMIT_MS = 2 * 60_000;

type Support = { webauthn: boolean; platform: boolean } | null;

export function FidoEnrollment(props: { principal: string; accountId: string; userName: string; consoleUrl: string; baseline: string[] }) {
  const router = useRouter();
  const [support, setSupport] = useState<Support>(null);
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'checking'; startedAt: number; elapsed: number }
    | { kind: 'found'; name: string; serial: string }
    | { kind: 'timeout' }
    | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  const stop = useRef(false);

  useEffect(() => {
    let live = true;
    void (async () => {
      const webauthn = browserSupportsWebAuthn();
      const platform = webauthn ? await platformAuthenticatorIsAvailable().catch(() => false) : false;
      if (live) setSupport({ webauthn, platform });
    })();
    return () => {
      live = false;
      stop.current = true;
    };
  }, []);

  async function check() {
    stop.current = false;
    const startedAt = Date.now();
    setState({ kind: 'checking', startedAt, elapsed: 0 });
    const fd = new FormData();
    fd.set('principal', props.principal);
    fd.set('baseline', props.baseline.join(','));
    while (!stop.current) {
      const result = await checkFidoAction(idle, fd);
      if (result.status === 'success' && result.data.found) {
        setState({ kind: 'found', name: result.data.found.name, serial: result.data.found.serial });
        // The same end as the other kinds: the done page, with its next steps and the backup advice.
        router.push(doneUrl('fido', props.accountId, props.userName));
        return;
      }
      if (result.status === 'error') {
        setState({ kind: 'error', message: result.message });
        return;
      }
      const elapsed = Date.now() - startedAt;
      if (elapsed >= POLL_LIMIT_MS) {
        setState({ kind: 'timeout' });
        return;
      }
      setState({ kind: 'checking', startedAt, elapsed });
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  }

  return (
    <div className="space-y-4">
      <section aria-labelledby="support-heading" className="space-y-2">
        <h2 id="support-heading" className="text-lg font-semibold">1. Check this browser</h2>
        {support === null ? (
          <p role="status">Checking whether this browser supports security keys…</p>
        ) : support.webauthn ? (
          <Alert tone="success" title="This browser supports security keys and passkeys.">
            {support.platform ? 'This device also has a built-in authenticator (e.g. Touch ID, Windows Hello) that can hold a passkey.' : 'Use a USB or NFC security key.'}
          </Alert>
        ) : (
          <Alert tone="warning" title="This browser cannot use security keys (WebAuthn).">
            Use a current version of Chrome, Edge, Firefox or Safari, on a device where you can plug in or tap the key, then come back here.
          </Alert>
        )}
      </section>
      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading" className="text-lg font-semibold">2. Register the key in the AWS console</h2>
        <p className="mt-1 text-sm text-slate-700">AWS lets you register a security key only in its console. The link opens the right account&apos;s sign-in page.</p>
        <ol className="mt-2 list-decimal space-y-1 pl-6 text-sm">
          <li>
            Sign in as IAM user <strong className="font-mono">{props.userName}</strong>.
          </li>
          <li>On <em>Security credentials</em>, choose <em>Assign MFA device</em>.</li>
          <li>Pick <em>Passkey or security key</em>, give it a name, and follow the browser&apos;s prompts (touch the key).</li>
          <li>Come back here and choose <em>Check for my key</em>.</li>
        </ol>
        <a href={props.consoleUrl} target="_blank" rel="noopener noreferrer" className={buttonClass('secondary', 'mt-3')}>
          Open the AWS console (new tab)
        </a>
      </section>
      <section aria-labelledby="check-heading" className="space-y-3">
        <h2 id="check-heading" className="text-lg font-semibold">3. Confirm</h2>
        {state.kind === 'found' ? (
          <Alert tone="success" title="Your security key is registered.">
            AWS lists <span className="font-mono">{state.name}</span> on {props.userName}. Opening the next steps…{' '}
            <a className="underline" href={doneUrl('fido', props.accountId, props.userName)}>
              Continue
            </a>
          </Alert>
        ) : (
          <>
            <Button onClick={check} disabled={state.kind === 'checking'} aria-busy={state.kind === 'checking'}>
              {state.kind === 'checking' ? 'Checking…' : 'Check for my key'}
            </Button>
            {state.kind === 'checking' && (
              <div role="status" aria-live="polite" className="space-y-1">
                <p className="text-sm">Looking for a new security key on {props.userName}… ({Math.round(state.elapsed / 1000)} s of {POLL_LIMIT_MS / 1000} s)</p>
                <progress className="w-full" max={POLL_LIMIT_MS} value={state.elapsed} aria-label="Time spent checking" />
              </div>
            )}
            {state.kind === 'timeout' && (
              <Alert tone="warning" title="No new security key yet.">
                AWS does not list a new key on {props.userName}. Finish the steps in the console (the key is added only after you touch it), then check again.
              </Alert>
            )}
            {state.kind === 'error' && <Alert tone="error">{state.message}</Alert>}
          </>
        )}
      </section>
    </div>
  );
}
