import Link from 'next/link';
import type { Actor } from '@/lib/auth/types';
import { listExceptionRequests } from '@/lib/program/exception-requests';
import { CardSection } from '@/components/ui/card';
import { formatDate, formatDateTimeUtc, plural } from '@/lib/format';
import { RequestDecisionForm } from './request-decision-form';

/** The queue: requests waiting for an admin who did not ask for them, oldest first. */
export async function PendingRequests({ actor, labels }: { actor: Actor; labels: Map<string, string> }) {
  const rows = await listExceptionRequests(actor, 'pending');
  return (
    <CardSection id="pending-heading" title={`Pending requests (${rows.length})`}>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm" data-testid="no-pending-requests">No requests are waiting.</p>
      ) : (
        <ul className="mt-3 space-y-4" aria-label="Pending requests">
          {rows.map((r) => {
            const label = r.categoryId !== null ? `category ${r.categoryName ?? r.categoryId}` : `${r.userName} (${labels.get(r.accountId!) ?? r.accountId})`;
            return (
              <li key={r.id} className="rounded-lg border border-slate-200 p-3" data-testid="pending-request" data-user={r.userName ?? undefined} data-category={r.categoryId ?? undefined}>
                <p className="font-medium">
                  {r.categoryId !== null ? (
                    <>Category-wide: <Link className="underline" href={`/admin/program/categories/${r.categoryId}`}>{r.categoryName ?? `#${r.categoryId}`}</Link></>
                  ) : (
                    <Link className="font-mono underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName!)}`}>{r.userName}</Link>
                  )}{' '}
                  until {formatDate(r.expiresAt)}
                </p>
                <p className="text-sm text-slate-700">“{r.justification}”</p>
                <p className="text-xs text-slate-600">
                  Requested by {r.requestedBy} at {formatDateTimeUtc(r.requestedAt)}
                  {r.categoryId === null ? ` · account ${labels.get(r.accountId!) ?? r.accountId}` : ''}
                </p>
                <div className="mt-2">
                  <RequestDecisionForm id={r.id} label={label} own={r.requestedBy.toLowerCase() === actor.id.toLowerCase()} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {rows.length > 0 && <p className="mt-3 text-xs text-slate-600">{plural(rows.length, 'request')} waiting. Approving writes the exception with you as its approver; both acts are audited and the requester is told.</p>}
    </CardSection>
  );
}
