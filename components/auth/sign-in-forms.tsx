'use client';

import { signIn } from 'next-auth/react';
import { useId, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { signInMessage } from '@/lib/auth/messages';
import { safeReturnTo } from '@/lib/security/return-to';

export function OidcSignIn({ label, callbackUrl, reauth = false }: { label: string; callbackUrl: string; reauth?: boolean }) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      className="w-full"
      disabled={pending}
      aria-busy={pending}
      onClick={() => {
        setPending(true);
        // prompt=login makes the IdP ask for the password again instead of reusing its session.
        void signIn('oidc', { callbackUrl }, reauth ? { prompt: 'login' } : undefined);
      }}
    >
      {pending ? 'Redirecting…' : `Sign in with ${label}`}
    </Button>
  );
}

const keyIdPattern = /^(AKIA|ASIA)[A-Z2-7]{16}$/;

export function AccessKeySignIn({ callbackUrl }: { callbackUrl: string }) {
  const id = useId();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [keyIdError, setKeyIdError] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const accessKeyId = String(form.get('accessKeyId') ?? '').trim();
    const secretAccessKey = String(form.get('secretAccessKey') ?? '').trim();
    const sessionToken = String(form.get('sessionToken') ?? '').trim();
    setError(null);
    if (!keyIdPattern.test(accessKeyId)) {
      setKeyIdError('An access key ID is 20 characters: AKIA or ASIA followed by 16 capital letters and digits.');
      return;
    }
    setKeyIdError(null);
    if (!secretAccessKey) {
      setError('Enter the secret access key that belongs to this key ID.');
      return;
    }
    setPending(true);
    try {
      const result = await signIn('aws-keys', { redirect: false, accessKeyId, secretAccessKey, sessionToken, callbackUrl });
      if (result?.ok && !result.error) {
        window.location.assign(safeReturnTo(callbackUrl, window.location.origin));
        return;
      }
      setError(signInMessage(result?.error ?? 'Default'));
    } catch {
      setError(signInMessage('AwsUnavailable'));
    }
    setPending(false);
  }

  return (
    // method="post": a submit before hydration must not put the secret access key into the URL and the history.
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4" aria-describedby={error ? `${id}-error` : undefined}>
      {error && (
        <Alert tone="error" id={`${id}-error`}>
          {error}
        </Alert>
      )}
      <div>
        <label htmlFor={`${id}-key`} className="block text-sm font-medium">
          Access key ID
        </label>
        <input
          id={`${id}-key`}
          name="accessKeyId"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          aria-invalid={keyIdError ? true : undefined}
          aria-describedby={`${id}-key-help${keyIdError ? ` ${id}-key-error` : ''}`}
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-base"
        />
        <p id={`${id}-key-help`} className="mt-1 text-xs text-slate-600">
          Starts with AKIA (long-term key) or ASIA (temporary credentials).
        </p>
        <p id={`${id}-key-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {keyIdError}
        </p>
      </div>
      <div>
        <label htmlFor={`${id}-secret`} className="block text-sm font-medium">
          Secret access key
        </label>
        <input
          id={`${id}-secret`}
          name="secretAccessKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-base"
        />
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer font-medium">Using temporary credentials?</summary>
        <label htmlFor={`${id}-token`} className="mt-2 block text-sm font-medium">
          Session token (optional)
        </label>
        <input
          id={`${id}-token`}
          name="sessionToken"
          type="password"
          autoComplete="off"
          spellCheck={false}
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-base"
        />
      </details>
      <p className="text-xs text-slate-600">
        The portal checks your keys once with AWS STS GetCallerIdentity and then forgets the secret: it is never stored or
        logged.
      </p>
      <Button type="submit" className="w-full" disabled={pending} aria-busy={pending}>
        {pending ? 'Checking with AWS…' : 'Sign in with access keys'}
      </Button>
    </form>
  );
}
