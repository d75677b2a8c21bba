import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { listRecoveries } from '@/lib/recovery/queries';
import { CardSection } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { RecoveryStateBadge } from './state-badge';

export const metadata = { title: 'Lost devices' };
export const dynamic = 'force-dynamic';

/** "3 h", "2 d": how long a request has waited, from the request's time (a server component renders once per request). */
function age(from: Date): string {
  const hours = Math.max(0, Math.floor((Date.now() - from.getTime()) / 3_600_000));
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

export default async function RecoveryQueuePage() {
  const actor = await requireRole('admin');
  const rows = await listRecoveries(actor);
  const waiting = rows.filter((r) => r.state === 'reported').length;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Lost or broken devices</h1>
        <p className="text-slate-700">
          Members report a device they no longer have. Verify the person with the security team’s checklist, then approve: the portal deactivates the device and
          gives them a grace to enroll a new one, enforced by IAM. You cannot decide a request you reported, or one about your own IAM user.
        </p>
      </div>
      <CardSection id="recovery-heading" title={`${plural(waiting, 'request')} waiting`}>
        {rows.length === 0 ? (
          <p className="mt-2 text-sm" data-testid="no-recoveries">No reports yet.</p>
        ) : (
          <DataTable
            className="mt-3"
            label="Recovery requests"
            caption="Recovery requests, waiting ones first, oldest first"
            columns={['IAM user', 'Account', 'Device', 'What', 'Reported by', 'Reported (UTC)', 'Age', 'State']}
            tableProps={{ 'data-testid': 'recoveries' }}
          >
            {rows.map((r) => (
              <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="recovery-row" data-user={r.userName} data-state={r.state}>
                <td className="py-2 pr-3 font-medium break-all">
                  <Link className="underline" href={`/admin/recovery/${r.id}`}>
                    {r.userName}
                    <span className="sr-only"> ({r.state === 'reported' ? 'verify and decide' : 'details'})</span>
                  </Link>
                </td>
                <td className="py-2 pr-3 font-mono">{r.accountId}</td>
                <td className="py-2 pr-3 break-all">{r.deviceName} <span className="text-slate-600">({r.deviceType})</span></td>
                <td className="py-2 pr-3">{r.what}</td>
                <td className="py-2 pr-3 break-all">{r.reportedBy}</td>
                <td className="py-2 pr-3 whitespace-nowrap">{formatDateTimeUtc(r.reportedAt)}</td>
                <td className="py-2 pr-3 whitespace-nowrap">{r.state === 'reported' ? age(r.reportedAt) : '—'}</td>
                <td className="py-2"><RecoveryStateBadge recovery={r} /></td>
              </tr>
            ))}
          </DataTable>
        )}
      </CardSection>
    </div>
  );
}
