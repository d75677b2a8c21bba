'use client';

import { signOut } from 'next-auth/react';
import { useState, useSyncExternalStore } from 'react';

const SIGNED_OUT = '/signin?signedOut=1';

/** The IdP logout URL must be read while the portal session still lives; null for access keys or no IdP logout. */
async function idpLogoutUrl(): Promise<string | null> {
  try {
    const res = await fetch('/api/session/idp-logout', { method: 'POST', cache: 'no-store' });
    if (!res.ok) return null;
    const { url } = (await res.json()) as { url?: unknown };
    return typeof url === 'string' ? url : null;
  } catch {
    return null;
  }
}

const noSubscription = () => () => {};

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  // False in the server render and until hydration: a click before then would do nothing, so the button says it is
  // not ready yet instead of swallowing the click.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  return (
    <button
      type="button"
      disabled={pending || !hydrated}
      aria-busy={pending}
      onClick={() => {
        setPending(true);
        void (async () => {
          const idp = await idpLogoutUrl();
          if (!idp) return signOut({ callbackUrl: SIGNED_OUT });
          await signOut({ redirect: false, callbackUrl: SIGNED_OUT });
          window.location.assign(idp);
        })();
      }}
      className="min-h-11 rounded-lg px-3 py-2 text-sm font-semibold text-white ring-1 ring-inset ring-white/40 hover:bg-white/10 disabled:opacity-60"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
