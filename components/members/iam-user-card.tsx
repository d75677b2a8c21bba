import Link from 'next/link';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { deviceTypeLabel } from '@/lib/device-types';
import { mfaStatusLabel, type MfaStatus } from '@/lib/members/status';
import type { MemberIamUser } from '@/lib/members/overview';
import type { ProgramGap } from '@/lib/program/resolve';
import { TableHead } from '@/components/ui/table-head';
import { ProgramPanel } from './program-panel';
import { MemberWindow } from '@/components/windows/member-window';
import type { ExtensionAction } from '@/components/windows/extension-form';
import { formatDateTimeUtc } from '@/lib/format';
import { backupAdvice } from '@/lib/enrollment/backup-advice';
import { DeviceAllowance, EnrollNextLink } from '@/components/enrollment/device-allowance';
import type { ActionResult } from '@/lib/actions/result';
import type { ExceptionRequestRow } from '@/lib/db/schema';
import { ExceptionRequestForm } from '@/components/program/exception-request-form';
import { ExceptionRequestHistory } from '@/components/program/exception-request-history';
import type { WithdrawAction } from '@/components/program/withdraw-request';

const statusTone: Record<MfaStatus, BadgeTone> = { protected: 'good', missing: 'bad', 'no-console': 'neutral' };

const nextStep: Record<ProgramGap, string> = {
  'no-mfa': 'Set up MFA',
  'disallowed-type': 'Enroll an allowed device',
  'not-certified': 'Register a certified security key',
  'needs-backup': 'Add a backup device',
};

type RequestAction = (state: ActionResult<{ id: number }>, form: FormData) => Promise<ActionResult<{ id: number }>>;

/** `requestExtension`: the home page's server action for "Ask for more time" (lib/windows); `requestAction`: asking for an exception. */
export function IamUserCard({
  user,
  now,
  requestExtension,
  requests = [],
  requestAction,
  withdraw,
}: {
  user: MemberIamUser;
  now: Date;
  requestExtension?: ExtensionAction;
  requests?: ExceptionRequestRow[];
  requestAction?: RequestAction;
  /** The viewer's identity and the action that takes back their own pending exception request. */
  withdraw?: { viewerId: string; action: WithdrawAction };
}) {
  const headingId = `iam-${user.accountId}-${user.userName}`.replace(/[^\w-]/g, '-');
  const program = user.ok ? user.program : null;
  // Without the program (it could not be read) fall back to the plain rule: console users need a device.
  const gap: ProgramGap | null = program ? program.programGap : user.ok && user.status === 'missing' ? 'no-mfa' : null;
  const advice = user.ok ? backupAdvice(user.userName, user.devices.length, program) : null;
  const enrollHref = `/enroll?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`;
  const srSuffix = `for ${user.userName} in ${user.accountId}`;
  return (
    <Card as="article" aria-labelledby={headingId} data-testid="iam-user">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id={headingId} className="text-lg font-semibold break-all">
            {user.userName}
          </h2>
          <p className="text-sm text-slate-600">
            {user.accountLabel} · <span className="font-mono">{user.accountId}</span>
            {user.accountAlias ? <> · {user.accountAlias}</> : null}
          </p>
        </div>
        {user.ok && (
          <span data-testid="mfa-status" data-status={user.status}>
            <Badge tone={statusTone[user.status]}>{mfaStatusLabel[user.status]}</Badge>
          </span>
        )}
      </div>
      {user.ok ? (
        <>
          <dl className="mt-3 grid grid-cols-1 gap-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
            <dt className="font-medium text-slate-600">Console access</dt>
            <dd data-testid="console-access">{user.consoleAccess ? 'Yes (has a console password)' : 'No'}</dd>
            {user.consoleAccess && (
              <>
                <dt className="font-medium text-slate-600">Console sign-in with MFA</dt>
                <dd data-testid="console-mfa-seen">{user.consoleMfaSeenAt ? `Seen at ${formatDateTimeUtc(new Date(user.consoleMfaSeenAt))} (AWS CloudTrail)` : 'Not seen yet'}</dd>
              </>
            )}
          </dl>
          {program ? (
            <>
              <ProgramPanel id={headingId} program={program} devices={user.devices} now={now} />
              <MemberWindow accountId={user.accountId} userName={user.userName} program={program} info={user.windows} action={requestExtension} />
            </>
          ) : (
            <p className="mt-3 text-sm text-slate-700" data-testid="program-unavailable">
              Your MFA program (category, deadline, allowed devices) could not be read just now. Reload in a minute.
            </p>
          )}
          {requestAction && user.consoleAccess && !requests.some((r) => r.status === 'pending') && (
            <details className="mt-3 rounded-lg border border-slate-200 p-3">
              <summary className="cursor-pointer font-medium">
                Ask for an exception<span className="sr-only"> for {user.userName}</span>
              </summary>
              <div className="mt-3">
                <ExceptionRequestForm action={requestAction} hidden={{ accountId: user.accountId, userName: user.userName }} label={`Exception request for ${user.userName}`} />
              </div>
            </details>
          )}
          <ExceptionRequestHistory requests={requests} withdraw={withdraw} />
          {user.devices.length === 0 ? (
            <p className="mt-3 text-sm text-slate-700">
              {user.consoleAccess
                ? 'No MFA device yet. Anyone with this password can sign in to the console.'
                : 'No MFA device. This user cannot sign in to the console.'}
            </p>
          ) : (
            <table className="mt-3 w-full text-left text-sm">
              <caption className="sr-only">MFA devices of {user.userName}</caption>
              <TableHead columns={['Type', 'Name', 'Enabled']} />
              <tbody>
                {user.devices.map((d) => {
                  const notAccepted = program !== null && !program.allowedDeviceTypes.includes(d.type);
                  return (
                    <tr key={d.serial} data-testid="mfa-device" data-serial={d.serial} data-type={d.type} className="border-t border-slate-100">
                      <td className="py-1.5 pr-3">
                        {deviceTypeLabel[d.type]}
                        {notAccepted && <span className="block text-xs font-medium text-amber-800">Not accepted in this category</span>}
                      </td>
                      <td className="py-1.5 pr-3 break-all font-mono text-xs">{d.name}</td>
                      <td className="py-1.5">{d.enabledAt ? formatDateTimeUtc(new Date(d.enabledAt)) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {/* At the limit the disabled button below says why; the same sentence twice would only be noise. */}
          {advice && advice.level !== 'first' && advice.level !== 'full' && (
            <div className="mt-3">
              <DeviceAllowance advice={advice} id={`${headingId}-allowance`} />
            </div>
          )}
          <div className="mt-4 flex flex-wrap items-start gap-2">
            {advice && gap ? (
              <EnrollNextLink advice={advice} href={enrollHref} label={nextStep[gap]} srSuffix={srSuffix} testId="next-step" />
            ) : advice && user.devices.length > 0 ? (
              <EnrollNextLink
                advice={advice}
                href={enrollHref}
                label={advice.level === 'enough' || advice.level === 'full' ? 'Add another device' : 'Add a backup device'}
                variant={advice.level === 'recommended' ? 'primary' : 'secondary'}
                srSuffix={srSuffix}
                testId="enroll-next"
              />
            ) : null}
            {user.devices.length > 0 && (
              <Link href="/devices" className={buttonClass('secondary')}>
                Manage devices<span className="sr-only"> of {user.userName}</span>
              </Link>
            )}
          </div>
        </>
      ) : (
        <div className="mt-3">
          <Alert tone="warning" title="Could not read this IAM user">
            {user.problem}
          </Alert>
        </div>
      )}
    </Card>
  );
}
