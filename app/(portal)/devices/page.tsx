import Link from 'next/link';
import { Suspense } from 'react';
import { requireUser } from '@/lib/auth/session';
import { getMemberOverview } from '@/lib/members/overview';
import { deviceTypeLabel } from '@/lib/device-types';
import { principalKey } from '@/lib/enrollment/ownership';
import type { Actor } from '@/lib/auth/types';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { buttonClass } from '@/components/ui/button';
import { DeviceActions } from '@/components/enrollment/device-actions';

export const metadata = { title: 'My devices' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

async function Devices({ actor }: { actor: Actor }) {
  const users = await getMemberOverview(actor);
  return (
    <div className="space-y-6">
      {users.map((u) => {
        const key = principalKey(u);
        const headingId = `dev-${u.accountId}-${u.userName}`.replace(/[^\w-]/g, '-');
        return (
          <Card key={key} aria-labelledby={headingId} data-testid="device-group">
            <div className="flex flex-wrap items-start justify-between gap-3">
              <div>
                <h2 id={headingId} className="text-lg font-semibold break-all">{u.userName}</h2>
                <p className="text-sm text-slate-600">
                  {u.accountLabel} · <span className="font-mono">{u.accountId}</span>
                </p>
              </div>
              <Link href={`/enroll?user=${encodeURIComponent(key)}`} className={buttonClass('primary')}>
                {u.ok && u.devices.length > 0 ? 'Add a backup device' : 'Set up MFA'}
                <span className="sr-only"> for {u.userName} in {u.accountId}</span>
              </Link>
            </div>
            {!u.ok ? (
              <div className="mt-3"><Alert tone="warning">{u.problem}</Alert></div>
            ) : u.devices.length === 0 ? (
              <p className="mt-3 text-sm text-slate-700">No MFA devices yet.</p>
            ) : (
              <ul className="mt-4 divide-y divide-slate-100">
                {u.devices.map((d) => (
                  <li key={d.serial} className="py-3" data-testid="device" data-serial={d.serial} data-type={d.type}>
                    <p className="font-medium">
                      {deviceTypeLabel[d.type]}: <span className="font-mono break-all">{d.name}</span>
                    </p>
                    <p className="mb-2 text-sm text-slate-600">
                      Enabled {d.enabledAt ? `${when.format(new Date(d.enabledAt))} UTC` : '—'}
                      {d.type === 'hardware' && <> · serial <span className="font-mono">{d.serial}</span></>}
                    </p>
                    <DeviceActions principal={key} userName={u.userName} device={d} signInMethod={actor.method} />
                  </li>
                ))}
              </ul>
            )}
          </Card>
        );
      })}
    </div>
  );
}

export default async function DevicesPage() {
  const actor = await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">My devices</h1>
        <p className="mt-1 text-slate-700">Every MFA device on your IAM users. Add a backup, resync a device whose codes stopped working, test it, or remove one you no longer have.</p>
      </div>
      {actor.principals.length === 0 ? (
        <Alert tone="info">No IAM users are linked to you.</Alert>
      ) : (
        <Suspense fallback={<div role="status"><span className="sr-only">Reading your devices from AWS…</span><Skeleton className="h-48" /></div>}>
          <Devices actor={actor} />
        </Suspense>
      )}
    </div>
  );
}
