import type { ExceptionRequestRow } from '@/lib/db/schema';
import { formatDate } from '@/lib/format';

const statusText = { pending: 'Waiting for an admin', approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn' } as const;

/** The latest exception requests of one IAM user: what was asked, by whom, and what became of it. */
export function ExceptionRequestHistory({ requests }: { requests: ExceptionRequestRow[] }) {
  if (requests.length === 0) return null;
  return (
    <div className="mt-3">
      <h3 className="text-sm font-semibold">Exception requests</h3>
      <ul className="mt-1 space-y-1 text-sm" data-testid="exception-requests">
        {requests.map((r) => (
          <li key={r.id} data-status={r.status}>
            <strong>{statusText[r.status]}</strong>: until {formatDate(r.expiresAt)}, asked by {r.requestedBy} on {formatDate(r.requestedAt)}
            {r.decidedBy && r.status !== 'withdrawn' ? `; ${r.status} by ${r.decidedBy} on ${formatDate(r.decidedAt!)}` : ''}
            {r.decisionNote ? ` (“${r.decisionNote}”)` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
