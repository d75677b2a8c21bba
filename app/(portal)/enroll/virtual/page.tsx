import { requireUser } from '@/lib/auth/session';
import { listMfaDevices } from '@/lib/aws/iam';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { defaultDeviceName } from '@/lib/enrollment/validation';
import { VirtualEnrollment } from './virtual-enrollment';
import { PrincipalPicker } from '@/components/enrollment/principal-picker';
import { accountLabel } from '@/lib/accounts/registry';
import { TypeRefused } from '@/components/enrollment/type-refused';
import { deviceTypeRefusalFor } from '@/lib/program/device-type-guard';

export const metadata = { title: 'Set up an authenticator app' };

export default async function VirtualEnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const principal = pickOwnPrincipal(actor, (await searchParams).user);
  if (!principal) {
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-bold sm:text-3xl">Set up an authenticator app</h1>
        <PrincipalPicker principals={actor.principals} href="/enroll/virtual" />
      </div>
    );
  }
  // The form's action checks again (and audits); this only spares the member a form that would be refused.
  const refusal = await deviceTypeRefusalFor(principal, 'virtual').catch(() => null);
  if (refusal) return <TypeRefused title="Set up an authenticator app" message={refusal} principal={principal} />;
  const taken = (await listMfaDevices(principal.accountId, principal.userName).catch(() => [])).map((d) => d.name);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Set up an authenticator app</h1>
        <p className="mt-1 text-slate-700">
          For IAM user <strong className="font-mono">{principal.userName}</strong> in {await accountLabel(principal.accountId)} ({principal.accountId}).
        </p>
      </div>
      <VirtualEnrollment
        principal={principalKey(principal)}
        userName={principal.userName}
        accountLabel={await accountLabel(principal.accountId)}
        defaultName={defaultDeviceName(principal.userName, taken)}
      />
    </div>
  );
}
