import { Suspense } from 'react';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { getAccountHealth } from '@/lib/admin/accounts';
import { formerReason, getAccountsState, UNREACHABLE_REMEDY } from '@/lib/accounts/status';
import { listAuditPage } from '@/lib/audit/query';
import { parseAuditFilters } from '@/lib/audit/filters';
import type { AuditEntry } from '@/lib/db/schema';
import { Badge } from '@/components/ui/badge';
import { Card, CardSection } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { SweepButton } from './sweep-button';
import type { Actor } from '@/lib/auth/types';
import { DataTable } from '@/components/ui/data-table';
import { formatDate, formatDateTimeSeconds } from '@/lib/format';
import { getEnv } from '@/lib/env';
import { eventCounts } from '@/lib/events/counters';

export const metadata = { title: 'Accounts and audit' };

/** Plain words for the glance list; a refusal carries its reason code. */
function outcomeLabel(e: AuditEntry): string {
  if (e.outcome === 'success') return e.action === 'auth.sign-in' ? 'Signed in' : 'Done';
  const reason = typeof e.detail.reason === 'string' ? `: ${e.detail.reason}` : '';
  return `${e.outcome === 'denied' ? 'Denied' : 'Failed'}${reason}`;
}

const AccountCell = ({ account }: { account: { id: string; label: string } }) => (
  <td className="py-2 pr-4">
    {account.label} <span className="font-mono text-slate-600">{account.id}</span>
  </td>
);

async function Accounts({ actor }: { actor: Actor }) {
  const [accounts, { former }] = await Promise.all([getAccountHealth(actor), getAccountsState(actor)]);
  return (
    <div className="space-y-4">
      {accounts.length === 0 && <p className="text-sm text-slate-700">No managed account yet: with AWS Organizations as the source, the first inventory run discovers them.</p>}
      <DataTable label="Managed AWS accounts" caption="Managed AWS accounts" columns={['Account', 'Alias', 'Member role']}>
        {accounts.map((a) => (
          <tr key={a.id} className="border-t border-slate-100" data-testid="account-row">
            <AccountCell account={a} />
            <td className="py-2 pr-4">{a.alias ?? '—'}</td>
            <td className="py-2">
              {a.reachable ? (
                <Badge tone="good">Reachable</Badge>
              ) : (
                <>
                  <Badge tone="bad">Unreachable ({a.problem})</Badge>
                  <span className="mt-1 block text-xs text-slate-700" data-testid="account-remedy">
                    Its users are unknown, not 0. {UNREACHABLE_REMEDY}
                  </span>
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {former.length > 0 && (
        <DataTable label="Accounts no longer managed" caption="Accounts no longer managed (their history is kept)" columns={['Account', 'Why', 'Managed until']}>
          {former.map((a) => (
            <tr key={a.id} className="border-t border-slate-100" data-testid="former-account-row">
              <AccountCell account={a} />
              <td className="py-2 pr-4">{formerReason(a)}</td>
              <td className="py-2">{a.lastManagedAt ? formatDate(a.lastManagedAt) : '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {former.length > 0 && (
        <p className="text-xs text-slate-600">
          Their IAM users no longer count in the figures; the coverage history, past inventory runs, reports and the audit log keep what was recorded while
          they were managed. An account that becomes active again (or matches the filters) is managed again at the next inventory run.
        </p>
      )}
    </div>
  );
}

/** A glance at what happened last; the audit log page has the filters, the paging and the export. */
async function LatestEntries({ actor }: { actor: Actor }) {
  const { rows } = await listAuditPage(actor, parseAuditFilters({ pageSize: '10' }));
  if (rows.length === 0) return <p className="text-sm text-slate-700">Nothing recorded yet.</p>;
  return (
    <DataTable label="Latest audit entries" caption="The latest audit entries" columns={['When (UTC)', 'Who', 'Action', 'Outcome']}>
      {rows.map((e) => (
        <tr key={e.id} className="border-t border-slate-100">
          <td className="py-2 pr-4 whitespace-nowrap">{formatDateTimeSeconds(e.at)}</td>
          <td className="py-2 pr-4 break-all">{e.actor}</td>
          <td className="py-2 pr-4 font-mono">{e.action}</td>
          <td className="py-2">
            <Badge tone={e.outcome === 'success' ? 'good' : 'bad'}>{outcomeLabel(e)}</Badge>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

const fallback = (label: string) => (
  <div role="status" aria-live="polite">
    <span className="sr-only">{label}</span>
    <Skeleton className="h-24 w-full" />
  </div>
);

/** What this portal process did with IAM change events since it started (lib/events/counters.ts). */
function IamEvents() {
  const env = getEnv();
  if (!env.MFA_EVENTS_QUEUE_URL) return <p className="text-sm text-slate-700">Off: MFA_EVENTS_QUEUE_URL is not set, so changes made in AWS show at the next inventory run.</p>;
  const counts = eventCounts();
  const dropped = Object.entries(counts.dropped).filter(([, n]) => n > 0);
  return (
    <div className="space-y-2 text-sm" data-testid="iam-event-counts">
      <p>
        Consuming the queue ({env.MFA_EVENTS_MODE === 'poll' ? 'in-process long-poll' : 'POST /api/cron/events'}). Since this instance started: {counts.applied} applied,{' '}
        {counts.failed} failed (left on the queue for redelivery, then the dead-letter queue), {dropped.reduce((n, [, c]) => n + c, 0)} dropped.
      </p>
      {dropped.length > 0 && <p className="text-slate-700">Dropped: {dropped.map(([reason, n]) => `${reason} ${n}`).join(', ')}.</p>}
    </div>
  );
}

export default async function AdminPage() {
  const actor = await requireRole('admin');
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Accounts and audit</h1>
      <CardSection id="accounts-heading" title="Managed accounts" headingClassName="mb-3 text-lg font-semibold">
        <Suspense fallback={fallback('Checking accounts…')}>
          <Accounts actor={actor} />
        </Suspense>
      </CardSection>
      <CardSection id="events-heading" title="IAM change events" headingClassName="mb-3 text-lg font-semibold">
        <IamEvents />
      </CardSection>
      <CardSection id="sweep-heading" title="Abandoned setups" headingClassName="mb-3 text-lg font-semibold">
        <SweepButton />
      </CardSection>
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
