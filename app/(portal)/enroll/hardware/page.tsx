import { requireUser } from '@/lib/auth/session';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { HardwareEnrollment } from './hardware-enrollment';
import { PrincipalPicker } from '@/components/enrollment/principal-picker';
import { accountLabel } from '@/lib/accounts/registry';
import { Card } from '@/components/ui/card';
import { TypeRefused } from '@/components/enrollment/type-refused';
import { deviceTypeRefusalFor } from '@/lib/program/device-type-guard';
import { issuedTokenFor } from '@/lib/program/tokens';
import { formatLongDate } from '@/lib/format';

export const metadata = { title: 'Set up a hardware token' };

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
            For IAM user <strong className="font-mono">{principal.userName}</strong> in {await accountLabel(principal.accountId)} ({principal.accountId}).
          </p>
          {issued && (
            <p className="mb-4 text-slate-700" data-testid="issued-token">
              Token <strong className="font-mono">{issued.serial}</strong> was issued to you{issued.issuedAt ? ` on ${formatLongDate(issued.issuedAt)}` : ''}. Its serial is filled in below; change it if you are setting up a different token.
            </p>
          )}
          <HardwareEnrollment principal={principalKey(principal)} defaultSerial={issued?.serial} />
        </Card>
      )}
    </div>
  );
}
