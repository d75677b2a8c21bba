import { requireUser } from '@/lib/auth/session';
import { AppShell } from '@/components/shell/app-shell';

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireUser();
  return <AppShell actor={actor}>{children}</AppShell>;
}
