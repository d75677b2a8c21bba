import { Suspense } from 'react';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { getAccountHealth } from '@/lib/admin/accounts';
import { listAuditPage } from '@/lib/audit/query';
import { parseAuditFilters } from '@/lib/audit/filters';
import type { AuditEntry } from '@/lib/db/schema';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { SweepButton } from '@/components/enrollment/sweep-button';
import type { Actor } from '@/lib/auth/types';
import { TableHead } from '@/components/ui/table-head';

export const metadata = { title: 'Accounts and audit' };

/** Plain words for the glance list; a refusal carries its reason code. */
function outcomeLabel(e: AuditEntry): string {
  if (e.outcome === 'success') return e.action === 'auth.sign-in' ? 'Signed in' : 'Done';
  const reason = typeof e.detail.reason === 'string' ? `: ${e.detail.reason}` : '';
  return `${e.outcome === 'denied' ? 'Denied' : 'Failed'}${reason}`;
}

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

async function Accounts({ actor }: { actor: Actor }) {
  const accounts = await getAccountHealth(actor);
  return (
    <div className="relative overflow-x-auto">
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

/** A glance at what happened last; the audit log page has the filters, the paging and the export. */
async function LatestEntries({ actor }: { actor: Actor }) {
  const { rows } = await listAuditPage(actor, parseAuditFilters({ pageSize: '10' }));
  if (rows.length === 0) return <p className="text-sm text-slate-700">Nothing recorded yet.</p>;
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">The latest audit entries</caption>
        <TableHead columns={['When (UTC)', 'Who', 'Action', 'Outcome']} />
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} className="border-t border-slate-100">
              <td className="py-2 pr-4 whitespace-nowrap">{when.format(e.at)}</td>
              <td className="py-2 pr-4 break-all">{e.actor}</td>
              <td className="py-2 pr-4 font-mono">{e.action}</td>
              <td className="py-2">
                <Badge tone={e.outcome === 'success' ? 'good' : 'bad'}>{outcomeLabel(e)}</Badge>
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
      <Card aria-labelledby="audit-heading">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="audit-heading" className="text-lg font-semibold">Latest audit entries</h2>
          <Link href="/admin/audit" className="font-medium text-brand-700 underline">
            Open the audit log
          </Link>
        </div>
        <Suspense fallback={fallback('Loading the latest audit entries…')}>
          <LatestEntries actor={actor} />
        </Suspense>
      </Card>
    </div>
  );
}
