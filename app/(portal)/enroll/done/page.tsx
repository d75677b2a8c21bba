import Link from 'next/link';
import { requireUser } from '@/lib/auth/session';
import { listMfaDevices } from '@/lib/aws/iam';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { backupAdvice } from '@/lib/enrollment/backup-advice';
import { getProgramFor } from '@/lib/program/member';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { plural } from '@/lib/format';
import { buttonClass } from '@/components/ui/button';
import { accountLabel } from '@/lib/accounts/registry';
import { DeviceAllowance, EnrollNextLink } from '@/components/enrollment/device-allowance';

export const metadata = { title: 'MFA is on' };

/**
 * Where every enrollment ends (authenticator app, hardware token, security key once detection sees it), with the
 * same words and the same next steps: test it, add a backup, keep the device safe. What it says comes from AWS's
 * live device list, never from the address.
 */
export default async function DonePage({ searchParams }: { searchParams: Promise<{ user?: string; type?: string }> }) {
  const actor = await requireUser();
  const params = await searchParams;
  const principal = pickOwnPrincipal(actor, params.user);
  if (!principal) return <NothingToShow title="Nothing to show" text="This page follows an enrollment of one of your IAM users." />;
  const devices = await listMfaDevices(principal.accountId, principal.userName);
  const user = encodeURIComponent(principalKey(principal));
  // Reached by its address rather than after an enrollment: say what AWS says, never a success that did not happen.
  if (devices.length === 0) return <NothingToShow title={`No MFA device on ${principal.userName}`} text={`AWS lists no MFA device for ${principal.userName} in ${await accountLabel(principal.accountId)}.`} setUp={`/enroll?user=${user}`} />;
  // The category's backup rule makes the advice stronger; without it (not readable now) the plain advice stands.
  const [program] = await getProgramFor([{ principal, consoleAccess: true, devices }]).catch(() => [null]);
  const advice = backupAdvice(principal.userName, devices.length, program);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">MFA is on for {principal.userName}</h1>
      <Alert tone="success" title="AWS confirmed the new device.">
        {principal.userName} in {await accountLabel(principal.accountId)} now has {plural(devices.length, 'MFA device')}.
      </Alert>
      <Card aria-labelledby="next-heading">
        <h2 id="next-heading" className="text-lg font-semibold">
          {advice.level === 'required' || advice.level === 'recommended' ? 'Done. Next: add a backup device' : 'Done. Next steps'}
        </h2>
        <ol className="mt-3 list-decimal space-y-3 pl-6">
          <li>
            <strong>Test it:</strong> sign out of the AWS console and sign in again as {principal.userName}; AWS will ask for your MFA device (a code,
            or a touch of your security key). Then <Link className="underline" href={`/devices?user=${user}`}>record the result</Link> on My devices.
          </li>
          <li>
            <strong>Add a backup device.</strong>
            <div className="mt-2">
              <DeviceAllowance advice={advice} id="done-allowance" />
            </div>
          </li>
          <li>
            <strong>Keep it safe:</strong> turn on your authenticator app&apos;s own backup or sync if it has one; keep a hardware token or security key
            where you will find it.
          </li>
        </ol>
        <div className="mt-4 flex flex-wrap items-start gap-3">
          <EnrollNextLink
            advice={advice}
            href={`/enroll?user=${user}`}
            label={advice.level === 'enough' || advice.level === 'full' ? 'Add another device' : 'Add a backup device'}
            variant={advice.level === 'enough' || advice.level === 'full' ? 'secondary' : 'primary'}
            testId="enroll-next"
            reasonId="done-allowance"
          />
          <Link href="/" className={buttonClass('secondary')}>
            Back to my IAM users
          </Link>
        </div>
      </Card>
    </div>
  );
}

function NothingToShow({ title, text, setUp }: { title: string; text: string; setUp?: string }) {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">{title}</h1>
      <Alert tone="info">
        {text}{' '}
        {setUp ? (
          <Link href={setUp} className="underline">
            Set up MFA
          </Link>
        ) : (
          <Link href="/devices" className="underline">
            See your devices
          </Link>
        )}
        .
      </Alert>
    </div>
  );
}
