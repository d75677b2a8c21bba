'use client';

import { signOut } from 'next-auth/react';
import { useState } from 'react';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: '/signin?signedOut=1' });
      }}
      className="min-h-11 rounded-lg px-3 py-2 text-sm font-semibold text-white ring-1 ring-inset ring-white/40 hover:bg-white/10 disabled:opacity-60"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
