import type { Actor } from '@/lib/auth/types';
import { visibleNav } from './nav';
import { NavLinks } from './nav-links';
import { SignOutButton } from './sign-out-button';

const roleLabel = { member: 'Member', admin: 'Admin', security: 'Security' } as const;

/** `pendingRequests`: exception requests waiting for an admin (the Exceptions entry's badge). */
export function AppShell({ actor, pendingRequests = 0, children }: { actor: Actor; pendingRequests?: number; children: React.ReactNode }) {
  const topRole = actor.roles.includes('security') ? 'security' : actor.roles.includes('admin') ? 'admin' : 'member';
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="bg-brand-900 text-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <p className="text-lg font-bold tracking-tight">MFA Portal</p>
          <div className="flex items-center gap-3 text-sm">
            <span>
              <span className="font-semibold">{actor.name}</span>{' '}
              <span className="text-white/80">({roleLabel[topRole]})</span>
            </span>
            <SignOutButton />
          </div>
        </div>
        <nav aria-label="Main" className="mx-auto max-w-6xl px-4 pb-3">
          <NavLinks
            items={visibleNav(actor.roles).map(({ href, label }) =>
              href === '/admin/exceptions' ? { href, label, count: pendingRequests, countLabel: pendingRequests === 1 ? 'pending request' : 'pending requests' } : { href, label },
            )}
          />
        </nav>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
