import { requireUser } from '@/lib/auth/session';
import { AppShell } from '@/components/shell/app-shell';

// No route-level loading.tsx here on purpose: a page must decide sign-in redirects and 403s before any
// HTML streams (else the status is already 200). Each page streams its slow AWS reads in <Suspense>.
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireUser();
  return <AppShell actor={actor}>{children}</AppShell>;
}
