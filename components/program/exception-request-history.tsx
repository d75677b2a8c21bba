import type { ExceptionRequestRow } from '@/lib/db/schema';
import { formatDate } from '@/lib/format';
import { WithdrawRequest, type WithdrawAction } from './withdraw-request';

const statusText = { pending: 'Waiting for an admin', approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn' } as const;

/**
 * The latest exception requests of one IAM user: what was asked, by whom, and what became of it. With `withdraw`, the
 * viewer's own pending request can be taken back.
 */
export function ExceptionRequestHistory({ requests, withdraw }: { requests: ExceptionRequestRow[]; withdraw?: { viewerId: string; action: WithdrawAction } }) {
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
            {withdraw && r.status === 'pending' && r.requestedBy === withdraw.viewerId && <WithdrawRequest id={r.id} action={withdraw.action} userName={r.userName ?? ''} />}
          </li>
        ))}
      </ul>
    </div>
  );
}
