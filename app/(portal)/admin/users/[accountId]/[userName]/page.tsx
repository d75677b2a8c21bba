import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireRole } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { getInventoryUser } from '@/lib/inventory/queries';
import { remediationFor, remediationText } from '@/lib/inventory/coverage-view';
import { listUserEvents } from '@/lib/enrollment/events';
import { deviceTypeLabel } from '@/lib/aws/mfa-devices';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { DeactivateLostDevice, VerifyNow } from '@/components/coverage/user-admin-actions';
import { TableHead } from '@/components/ui/table-head';

export const metadata = { title: 'IAM user' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const fmt = (d: Date | string | null) => (d ? `${when.format(new Date(d))} UTC` : '—');

export default async function UserDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ accountId: string; userName: string }>;
  searchParams: Promise<{ deactivated?: string }>;
}) {
  const actor = await requireRole('admin');
  const { accountId, userName: rawName } = await params;
  const userName = decodeURIComponent(rawName);
  if (!/^\d{12}$/.test(accountId) || !/^[\w+=,.@-]{1,64}$/.test(userName)) notFound();
  const [row, events] = await Promise.all([getInventoryUser(actor, accountId, userName), listUserEvents({ accountId, userName }, 100)]);
  if (!row) notFound();
  const label = getEnv().MFA_ACCOUNTS.find((a) => a.id === accountId)?.label ?? accountId;
  const fix = remediationFor(row);
  const { deactivated } = await searchParams;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-sm"><Link className="underline" href="/admin/users">IAM users</Link> /</p>
          <h1 className="font-mono text-2xl font-bold break-all sm:text-3xl">{row.userName}</h1>
          <p className="text-slate-700">
            {label} ({accountId}) · <span className="break-all">{row.arn}</span>
          </p>
        </div>
        <VerifyNow accountId={accountId} userName={userName} />
      </div>
      {deactivated && (
        <Alert tone="success">
          Deactivated <span className="font-mono break-all">{deactivated}</span> (recorded in the audit log). {row.userName} can now enroll a new device.
        </Alert>
      )}
      {fix && (
        <Alert tone="warning" title="Gap">
          {remediationText[fix]}
        </Alert>
      )}
      <Card aria-labelledby="facts-heading">
        <h2 id="facts-heading" className="text-lg font-semibold">Facts</h2>
        <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-slate-600">MFA</dt>
          <dd data-testid="detail-state" data-state={row.mfaState}>
            <Badge tone={row.mfaState === 'enabled' ? 'good' : row.consoleAccess ? 'bad' : 'neutral'}>{row.mfaState}</Badge>
          </dd>
          <dt className="text-slate-600">Console access</dt>
          <dd>{row.consoleAccess ? 'Yes (console password)' : 'No'}</dd>
          <dt className="text-slate-600">Password last used</dt>
          <dd>{row.consoleAccess ? (row.passwordLastUsed ? fmt(row.passwordLastUsed) : 'Never, or not recorded') : '—'}</dd>
          <dt className="text-slate-600">Access key last used</dt>
          <dd>{fmt(row.accessKeyLastUsed)}</dd>
          <dt className="text-slate-600">Created</dt>
          <dd>{fmt(row.createdAt)}</dd>
          <dt className="text-slate-600">Path</dt>
          <dd className="font-mono">{row.path}</dd>
          <dt className="text-slate-600">Groups</dt>
          <dd>{row.groups.join(', ') || '—'}</dd>
          <dt className="text-slate-600">Tags</dt>
          <dd className="break-all">{Object.entries(row.tags).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}</dd>
          <dt className="text-slate-600">Flags</dt>
          <dd>{row.flags.join(', ') || '—'}</dd>
          <dt className="text-slate-600">Data from</dt>
          <dd>
            {row.source === 'inventory' ? 'the inventory run' : row.source === 'portal' ? 'a change made through the portal' : 'a live check'} at {fmt(row.updatedAt)}
          </dd>
        </dl>
      </Card>
      <Card aria-labelledby="devices-heading">
        <h2 id="devices-heading" className="text-lg font-semibold">MFA devices</h2>
        {row.devices.length === 0 ? (
          <p className="mt-2 text-sm">None.{row.leftoverDevices.length ? ` Unfinished set-ups (unassigned devices): ${row.leftoverDevices.join(', ')}.` : ''}</p>
        ) : (
          <ul className="mt-3 space-y-3">
            {row.devices.map((d) => (
              <li key={d.serial} className="space-y-2" data-testid="detail-device" data-serial={d.serial}>
                <p className="text-sm">
                  <strong>{deviceTypeLabel[d.type]}</strong> <span className="font-mono break-all">{d.serial}</span> · enabled {fmt(d.enabledAt)}
                </p>
                <DeactivateLostDevice accountId={accountId} userName={userName} device={d} />
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-lg font-semibold">Enrollment history</h2>
        {events.length === 0 ? (
          <p className="mt-2 text-sm">No enrollment activity through the portal.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="mt-3 w-full text-left text-sm">
              <caption className="sr-only">Enrollment events of {row.userName}</caption>
              <TableHead columns={['When', 'What', 'Outcome', 'By']} />
              <tbody>
                {events.map((e) => (
                  <tr key={e.id} className="border-t border-slate-100">
                    <td className="py-1.5 pr-3 whitespace-nowrap">{fmt(e.at)}</td>
                    <td className="py-1.5 pr-3">{e.kind}{e.deviceType ? ` (${e.deviceType})` : ''}</td>
                    <td className="py-1.5 pr-3">{e.outcome}{e.reason ? `: ${e.reason}` : ''}</td>
                    <td className="py-1.5 break-all">{e.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
