import { accountLabels } from '@/lib/accounts/registry';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { EXPIRING_DAYS, listExceptions, type ExceptionStatus } from '@/lib/program/decisions';
import { Badge } from '@/components/ui/badge';
import { PendingRequests } from './pending-requests';
import { CardSection } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { formatDate, plural } from '@/lib/format';

export const metadata = { title: 'Exception register' };
export const dynamic = 'force-dynamic';

const DAY_MS = 86_400_000;
/** Whole days until a date (rounded up), from the request's time: a server component renders once per request. */
const daysUntil = (d: Date) => Math.ceil((d.getTime() - Date.now()) / DAY_MS);
const STATUSES: [ExceptionStatus, string][] = [
  ['all', 'All'],
  ['active', 'Active'],
  ['expiring', `Ending within ${EXPIRING_DAYS} days`],
  ['expired', 'Expired'],
];

export default async function ExceptionsPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const actor = await requireRole('admin');
  const { status: raw } = await searchParams;
  const status = STATUSES.find(([s]) => s === raw)?.[0] ?? 'all';
  const rows = await listExceptions(actor, status);
  const labels = await accountLabels();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Exception register</h1>
        <p className="text-slate-700">
          Every IAM user excepted from MFA, by their own decision or their category’s, with who approved it and until when. An expired exception is a gap
          again without anyone touching it. Exceptions are requested (on a user’s page, the bulk decision page, a category’s page, or by a member for
          their own IAM user) and approved here by an admin who did not ask for them.
        </p>
      </div>
      <PendingRequests actor={actor} labels={labels} />
      <nav aria-label="Exception status" className="flex flex-wrap gap-2">
        {STATUSES.map(([s, label]) => (
          <Link
            key={s}
            href={s === 'all' ? '/admin/exceptions' : `/admin/exceptions?status=${s}`}
            aria-current={s === status ? 'page' : undefined}
            className={`inline-flex min-h-11 items-center rounded-full px-4 text-sm font-medium ring-1 ring-inset ${s === status ? 'bg-brand-600 text-white ring-brand-600' : 'bg-white ring-slate-300 hover:bg-slate-50'}`}
          >
            {label}
          </Link>
        ))}
      </nav>
      <CardSection id="register-heading" title={plural(rows.length, 'exception')}>
        {rows.length === 0 ? (
          <p className="mt-2 text-sm" data-testid="no-exceptions">No exceptions{status === 'all' ? '' : ' with this status'}.</p>
        ) : (
          <DataTable
            className="mt-3"
            label="Exceptions"
            caption="Exceptions, soonest ending first"
            columns={['IAM user', 'Account', 'Category', 'Justification', 'Approved by', 'Ends (UTC)', 'Status', 'Source']}
            tableProps={{ 'data-testid': 'exceptions' }}
          >
            {rows.map((r) => {
              const days = r.expiresAt ? daysUntil(r.expiresAt) : null;
              return (
                <tr key={`${r.accountId}/${r.userName}`} className="border-t border-slate-100 align-top" data-testid="exception-row" data-user={r.userName}>
                  <td className="py-2 pr-3">
                    <Link className="font-mono underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`}>{r.userName}</Link>
                    {!r.consoleAccess && <div className="text-xs text-slate-600">no console access</div>}
                  </td>
                  <td className="py-2 pr-3">{labels.get(r.accountId) ?? r.accountId}</td>
                  <td className="py-2 pr-3">{r.categoryName ?? '—'}</td>
                  <td className="max-w-xs py-2 pr-3">{r.decisionReason}</td>
                  <td className="py-2 pr-3" data-testid="exception-approval">{r.approver ? (r.approvedAt ? `Approved by ${r.approver} on ${formatDate(r.approvedAt)}` : `Approved by ${r.approver}`) : '—'}</td>
                  <td className="py-2 pr-3 whitespace-nowrap">{r.expiresAt ? formatDate(r.expiresAt) : '—'}</td>
                  <td className="py-2 pr-3" data-testid="exception-status">
                    {r.exceptionExpired ? (
                      <Badge tone="bad">Expired{r.programGap ? ': gap' : ''}</Badge>
                    ) : days !== null && days <= EXPIRING_DAYS ? (
                      <Badge tone="neutral">Ends in {plural(days, 'day')}</Badge>
                    ) : (
                      <Badge tone="good">Active</Badge>
                    )}
                  </td>
                  <td className="py-2">{r.decisionSource === 'user' ? `Decision by ${r.decidedBy}` : 'Category default'}</td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </CardSection>
    </div>
  );
}
