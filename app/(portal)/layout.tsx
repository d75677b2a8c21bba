import { requireUser } from '@/lib/auth/session';
import { AppShell } from '@/components/shell/app-shell';
import { pendingRequestCount } from '@/lib/program/exception-requests';

// No route-level loading.tsx here on purpose: a page must decide sign-in redirects and 403s before any
// HTML streams (else the status is already 200). Each page streams its slow AWS reads in <Suspense>.
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireUser();
  // The Exceptions badge: requests waiting for an admin (0, without a query, for anyone else).
  return (
    <AppShell actor={actor} pendingRequests={await pendingRequestCount(actor)}>
      {children}
    </AppShell>
  );
}
