import { requireUser } from '@/lib/auth/session';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { HardwareEnrollment } from '@/components/enrollment/hardware-enrollment';
import { accountLabel, PrincipalPicker } from '@/components/enrollment/principal-picker';
import { Card } from '@/components/ui/card';
import { TypeRefused } from '@/components/enrollment/type-refused';
import { deviceTypeRefusalFor } from '@/lib/program/device-type-guard';

export const metadata = { title: 'Set up a hardware token' };

export default async function HardwareEnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const principal = pickOwnPrincipal(actor, (await searchParams).user);
  const refusal = principal && (await deviceTypeRefusalFor(principal, 'hardware').catch(() => null));
  if (principal && refusal) return <TypeRefused title="Set up a hardware TOTP token" message={refusal} principal={principal} />;
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
          <HardwareEnrollment principal={principalKey(principal)} />
        </Card>
      )}
    </div>
  );
}
