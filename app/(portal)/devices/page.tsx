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
import { DeviceActions } from './device-actions';
import { CopyLine } from '@/components/enrollment/copy-line';
import { RemovedNotice } from '@/components/enrollment/removed-notice';
import { formatDateTimeUtc } from '@/lib/format';
import { listOwnRecoveries } from '@/lib/recovery/queries';
import { isOpen } from '@/lib/recovery/state';
import { RecoveryNotice } from './recovery-notice';
import { ReportLostDevice } from './report-lost-device';

export const metadata = { title: 'My devices' };

const cliLine = (serial: string) => `aws sts get-session-token --serial-number ${serial} --token-code <code>`;

/** Security keys cannot answer STS; `aws login` can use them, with what AWS does and does not document said plainly. */
function FidoCliNote() {
  return (
    <div className="mt-3" data-testid="fido-cli-note">
      <Alert tone="info" title="Using the AWS CLI with a security key or passkey">
        <p>
          Security keys and passkeys cannot be used with <code>aws sts get-session-token</code>. Instead, <code>aws login</code> (AWS CLI 2.32 or later) signs the CLI in
          through your browser with any MFA, passkeys included. It needs the AWS-managed policy <code>SignInLocalDevelopmentAccess</code> on this IAM user: ask an
          administrator.
        </p>
        <p className="mt-2">
          Not known: AWS does not document whether sessions from <code>aws login</code> carry <code>aws:MultiFactorAuthPresent</code>, so a policy that requires MFA may
          still refuse them. Try it before you rely on it.
        </p>
        <div className="mt-2">
          <CopyLine text="aws login" label="Copy the aws login command" />
        </div>
      </Alert>
    </div>
  );
}

async function Devices({ actor }: { actor: Actor }) {
  const [users, recoveries] = await Promise.all([getMemberOverview(actor), listOwnRecoveries(actor)]);
  return (
    <RemovedNotice>
      <div className="space-y-6">
        {users.map((u) => {
          const key = principalKey(u);
          const headingId = `dev-${u.accountId}-${u.userName}`.replace(/[^\w-]/g, '-');
          // Newest first: the request that says where this user's recovery stands now.
          const recovery = recoveries.find((r) => r.accountId === u.accountId && r.userName === u.userName);
          const enrollHref = `/enroll?user=${encodeURIComponent(key)}`;
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
              <RecoveryNotice recovery={recovery} enrollHref={enrollHref} />
              {u.ok && u.devices.length > 0 && u.devices.every((d) => d.type === 'fido') && <FidoCliNote />}
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
                      <p className="text-sm text-slate-600">Enabled {d.enabledAt ? formatDateTimeUtc(new Date(d.enabledAt)) : '—'}</p>
                      <p className="mb-2 text-sm text-slate-600">
                        {d.type === 'hardware' ? 'Serial' : 'Serial (ARN)'} <span className="font-mono break-all" data-testid="device-serial">{d.serial}</span>
                      </p>
                      {d.type !== 'fido' && (
                        <details className="mb-3 text-sm">
                          <summary className="min-h-11 cursor-pointer py-2 font-medium">Use it with the AWS CLI</summary>
                          <p className="mb-2 text-slate-700">
                            With this IAM user&apos;s access keys configured, get a session token with MFA (replace <code>&lt;code&gt;</code> with the 6-digit code the device shows now):
                          </p>
                          <CopyLine text={cliLine(d.serial)} label={`Copy the CLI command for ${d.name}`} testId="cli-line" />
                        </details>
                      )}
                      <DeviceActions principal={key} userName={u.userName} device={d} signInMethod={actor.method} />
                      {!(recovery && isOpen(recovery)) && <ReportLostDevice principal={key} userName={u.userName} device={{ serial: d.serial, name: d.name }} />}
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          );
        })}
      </div>
    </RemovedNotice>
  );
}

export default async function DevicesPage() {
  const actor = await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">My devices</h1>
        <p className="mt-1 text-slate-700">Every MFA device on your IAM users. Add a backup, resync a device whose codes stopped working, test it, remove one, or report one lost or broken to get time to enroll a new one.</p>
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
