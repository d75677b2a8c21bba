import Link from 'next/link';
import { accountLabels } from '@/lib/accounts/registry';
import { requireRole } from '@/lib/auth/session';
import { listPendingRequests } from '@/lib/windows/extensions';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { CardSection } from '@/components/ui/card';
import { DecideRequestForm } from './decide-request-form';

export const metadata = { title: 'Requests for more time' };
export const dynamic = 'force-dynamic';

export default async function RequestsPage() {
  const actor = await requireRole('admin');
  const [rows, labels] = await Promise.all([listPendingRequests(actor), accountLabels()]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Requests for more time</h1>
        <p className="text-slate-700">
          Members’ requests beyond what their category grants at once. Approving opens a window until the requested date, enforced by IAM (a policy attached
          to the IAM user); rejecting needs a reason, which the member sees. Nobody decides their own request.
        </p>
      </div>
      <CardSection id="requests-heading" title={plural(rows.length, 'waiting request')}>
        {rows.length === 0 ? (
          <p className="mt-2 text-sm" data-testid="no-requests">
            No requests are waiting.
          </p>
        ) : (
          <ul className="mt-3 space-y-4" aria-label="Waiting requests">
            {rows.map((r) => {
              const own = r.requestedBy === actor.id || (actor.email !== null && r.requestedBy.toLowerCase() === actor.email.toLowerCase());
              return (
                <li key={r.id} className="rounded-lg border border-slate-200 p-3" data-testid="request" data-user={r.userName}>
                  <p className="font-medium">
                    <Link className="font-mono underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`}>
                      {r.userName}
                    </Link>{' '}
                    in {labels.get(r.accountId) ?? r.accountId}
                  </p>
                  <dl className="mt-2 grid grid-cols-1 gap-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
                    <dt className="font-medium text-slate-600">Asked by</dt>
                    <dd>
                      {r.requestedBy} on {formatDateTimeUtc(r.requestedAt)}
                    </dd>
                    <dt className="font-medium text-slate-600">Until</dt>
                    <dd data-testid="request-until">
                      {formatDateTimeUtc(r.endsAt)}
                      {r.days ? ` (${plural(r.days, 'more day')})` : ''}
                    </dd>
                    <dt className="font-medium text-slate-600">Category</dt>
                    <dd>
                      {r.categoryName ?? '—'}
                      {r.categoryDeadline ? `, deadline ${formatDateTimeUtc(r.categoryDeadline)}` : ''}
                    </dd>
                    <dt className="font-medium text-slate-600">Reason</dt>
                    <dd className="whitespace-pre-wrap">{r.reason}</dd>
                  </dl>
                  {own ? (
                    <p className="mt-2 text-sm text-slate-700" data-testid="own-request">
                      This is your own request: another admin decides it.
                    </p>
                  ) : (
                    <DecideRequestForm id={r.id} userName={r.userName} />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </CardSection>
    </div>
  );
}
