import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { getAccountHealth } from '@/lib/admin/accounts';
import { listAudit } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { SweepButton } from '@/components/enrollment/sweep-button';
import type { Actor } from '@/lib/auth/types';
import { TableHead } from '@/components/ui/table-head';

export const metadata = { title: 'Accounts and audit' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

async function Accounts({ actor }: { actor: Actor }) {
  const accounts = await getAccountHealth(actor);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Managed AWS accounts</caption>
        <TableHead columns={['Account', 'Alias', 'Member role']} />
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id} className="border-t border-slate-100" data-testid="account-row">
              <td className="py-2 pr-4">
                {a.label} <span className="font-mono text-slate-600">{a.id}</span>
              </td>
              <td className="py-2 pr-4">{a.alias ?? '—'}</td>
              <td className="py-2">
                {a.reachable ? <Badge tone="good">Reachable</Badge> : <Badge tone="bad">Not reachable ({a.problem})</Badge>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function RecentSignIns() {
  const entries = await listAudit(await getDb(), { action: 'auth.sign-in', limit: 25 });
  if (entries.length === 0) return <p className="text-sm text-slate-700">No sign-ins recorded yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Recent sign-ins</caption>
        <TableHead columns={['When (UTC)', 'Who', 'Method', 'Outcome']} />
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-t border-slate-100">
              <td className="py-2 pr-4 whitespace-nowrap">{when.format(e.at)}</td>
              <td className="py-2 pr-4 break-all">{e.actor}</td>
              <td className="py-2 pr-4">{String(e.detail.method ?? '—')}</td>
              <td className="py-2">
                {e.outcome === 'success' ? (
                  <Badge tone="good">Signed in</Badge>
                ) : (
                  <Badge tone="bad">Failed: {String(e.detail.reason ?? 'unknown')}</Badge>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const fallback = (label: string) => (
  <div role="status" aria-live="polite">
    <span className="sr-only">{label}</span>
    <Skeleton className="h-24 w-full" />
  </div>
);

export default async function AdminPage() {
  const actor = await requireRole('admin');
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Accounts and audit</h1>
      <Card aria-labelledby="accounts-heading">
        <h2 id="accounts-heading" className="mb-3 text-lg font-semibold">Managed accounts</h2>
        <Suspense fallback={fallback('Checking accounts…')}>
          <Accounts actor={actor} />
        </Suspense>
      </Card>
      <Card aria-labelledby="sweep-heading">
        <h2 id="sweep-heading" className="mb-3 text-lg font-semibold">Abandoned setups</h2>
        <SweepButton />
      </Card>
      <Card aria-labelledby="signins-heading">
        <h2 id="signins-heading" className="mb-3 text-lg font-semibold">Recent sign-ins</h2>
        <Suspense fallback={fallback('Loading sign-ins…')}>
          <RecentSignIns />
        </Suspense>
      </Card>
    </div>
  );
}
