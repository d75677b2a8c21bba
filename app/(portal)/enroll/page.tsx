import Link from 'next/link';
import { requireUser } from '@/lib/auth/session';
import { listMfaDevices } from '@/lib/aws/iam';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { getProgramFor } from '@/lib/program/member';
import { typesPlural } from '@/lib/program/wording';
import type { Principal } from '@/lib/auth/types';
import type { ProgramStatus } from '@/lib/program/resolve';
import { Card } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { PrincipalPicker } from '@/components/enrollment/principal-picker';
import { accountLabel } from '@/lib/accounts/registry';
import { backupAdvice } from '@/lib/enrollment/backup-advice';
import { DeviceAllowance } from '@/components/enrollment/device-allowance';

export const metadata = { title: 'Add an MFA device' };

const kinds = [
  { type: 'virtual', title: 'Authenticator app', text: 'An app on your phone or computer shows a new 6-digit code every 30 seconds. Quickest to set up.' },
  { type: 'hardware', title: 'Hardware TOTP token', text: 'A key-fob token with a display, issued by your organisation. You need its serial number.' },
  { type: 'fido', title: 'Security key or passkey', text: 'A FIDO key (e.g. YubiKey) or a passkey. Strongest against phishing; registered in the AWS console.' },
] as const;

/**
 * The program and the device count, from the live devices; null parts when AWS could not be read (the server still
 * checks each type and the limit).
 */
async function programOf(principal: Principal): Promise<{ program: ProgramStatus | null; count: number | null }> {
  try {
    const devices = await listMfaDevices(principal.accountId, principal.userName);
    const [status] = await getProgramFor([{ principal, consoleAccess: true, devices }]).catch(() => [null]);
    return { program: status ?? null, count: devices.length };
  } catch {
    return { program: null, count: null };
  }
}

function ProgramRules({ program }: { program: ProgramStatus }) {
  const hidden = kinds.some((k) => !program.allowedDeviceTypes.includes(k.type));
  const name = program.category?.name;
  return (
    <>
      {hidden && (
        <Alert tone="info" title="Only some kinds of device are offered">
          <p data-testid="allowed-note">
            {name ? <>Your category “{name}”</> : 'Your organisation’s MFA program'}
            {program.allowedDeviceTypes.length
              ? ` allows only ${typesPlural(program.allowedDeviceTypes)} for this IAM user, so other kinds are not offered.`
              : ' allows no kind of device yet. Ask your cloud administrator.'}
          </p>
        </Alert>
      )}
      {program.minDevices >= 2 && (
        <Alert tone={program.allowedDevices >= program.minDevices ? 'success' : 'warning'} title="A backup device is required">
          <p data-testid="backup-note">
            {name ? <>The category “{name}”</> : 'The program'} requires {program.minDevices} devices of an allowed type, so that losing one does not lock you
            out. You have {Math.min(program.allowedDevices, program.minDevices)} of {program.minDevices}.
          </p>
        </Alert>
      )}
    </>
  );
}

export default async function EnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const { user } = await searchParams;
  const principal = pickOwnPrincipal(actor, user);
  const { program, count } = principal ? await programOf(principal) : { program: null, count: null };
  const advice = principal && count !== null ? backupAdvice(principal.userName, count, program) : null;
  const offered = kinds.filter((k) => !program || program.allowedDeviceTypes.includes(k.type));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Add an MFA device</h1>
      {actor.principals.length === 0 ? (
        <Alert tone="info">No IAM users are linked to you, so there is nothing to protect here.</Alert>
      ) : !principal ? (
        <PrincipalPicker principals={actor.principals} href="/enroll" />
      ) : (
        <>
          <p className="text-slate-700">
            For IAM user <strong className="font-mono">{principal.userName}</strong> in {await accountLabel(principal.accountId)} ({principal.accountId}).
            {offered.length ? ' Choose the kind of device:' : null}
          </p>
          {advice && advice.level !== 'first' && <DeviceAllowance advice={advice} id="enroll-allowance" />}
          {program && <ProgramRules program={program} />}
          {offered.length > 0 && (
            <ul className="grid gap-4 md:grid-cols-3" aria-label="Kinds of device you may add">
              {offered.map((k) => (
                <li key={k.type} data-testid="device-kind" data-type={k.type}>
                  <Card as="article" className="h-full">
                    <h2 className="text-lg font-semibold">
                      {advice?.canEnroll === false ? (
                        // At AWS's limit the kinds are listed but not offered; the reason is said above and here.
                        <span className="text-slate-600" data-testid="kind-unavailable">
                          {k.title} <span className="text-sm font-normal">(not available: {advice.count} of {advice.max} devices, see above)</span>
                        </span>
                      ) : (
                        <Link className="underline" href={`/enroll/${k.type}?user=${encodeURIComponent(principalKey(principal))}`}>
                          {k.title}
                        </Link>
                      )}
                    </h2>
                    <p className="mt-2 text-sm text-slate-700">{k.text}</p>
                  </Card>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
