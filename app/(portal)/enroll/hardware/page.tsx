import { requireUser } from '@/lib/auth/session';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { HardwareEnrollment } from '@/components/enrollment/hardware-enrollment';
import { accountLabel, PrincipalPicker } from '@/components/enrollment/principal-picker';
import { Card } from '@/components/ui/card';
import { TypeRefused } from '@/components/enrollment/type-refused';
import { deviceTypeRefusalFor } from '@/lib/program/device-type-guard';
import { issuedTokenFor } from '@/lib/program/tokens';

export const metadata = { title: 'Set up a hardware token' };

const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

export default async function HardwareEnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const principal = pickOwnPrincipal(actor, (await searchParams).user);
  const refusal = principal && (await deviceTypeRefusalFor(principal, 'hardware').catch(() => null));
  if (principal && refusal) return <TypeRefused title="Set up a hardware TOTP token" message={refusal} principal={principal} />;
  // The register's serial only (printed on the token, not a secret); without the register the form still works.
  const issued = principal && (await issuedTokenFor(actor, principal).catch(() => null));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Set up a hardware TOTP token</h1>
      {!principal ? (
        <PrincipalPicker principals={actor.principals} href="/enroll/hardware" />
      ) : (
        <Card>
          <p className="mb-4 text-slate-700">
            For IAM user <strong className="font-mono">{principal.userName}</strong> in {accountLabel(principal.accountId)} ({principal.accountId}).
          </p>
          {issued && (
            <p className="mb-4 text-slate-700" data-testid="issued-token">
              Token <strong className="font-mono">{issued.serial}</strong> was issued to you{issued.issuedAt ? ` on ${day.format(issued.issuedAt)}` : ''}. Its serial is filled in below; change it if you are setting up a different token.
            </p>
          )}
          <HardwareEnrollment principal={principalKey(principal)} defaultSerial={issued?.serial} />
        </Card>
      )}
    </div>
  );
}
