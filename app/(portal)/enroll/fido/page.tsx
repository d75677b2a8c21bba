import { requireUser } from '@/lib/auth/session';
import { listMfaDevices } from '@/lib/aws/iam';
import { consoleSecurityCredentialsUrl } from '@/lib/enrollment/fido';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { FidoEnrollment } from '@/components/enrollment/fido-enrollment';
import { accountLabel, PrincipalPicker } from '@/components/enrollment/principal-picker';
import { Card } from '@/components/ui/card';

export const metadata = { title: 'Set up a security key or passkey' };

export default async function FidoEnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const principal = pickOwnPrincipal(actor, (await searchParams).user);
  if (!principal) {
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-bold sm:text-3xl">Set up a security key or passkey</h1>
        <PrincipalPicker principals={actor.principals} href="/enroll/fido" />
      </div>
    );
  }
  const [devices, consoleUrl] = await Promise.all([
    listMfaDevices(principal.accountId, principal.userName),
    consoleSecurityCredentialsUrl(principal),
  ]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Set up a security key or passkey</h1>
        <p className="mt-1 text-slate-700">
          For IAM user <strong className="font-mono">{principal.userName}</strong> in {accountLabel(principal.accountId)} ({principal.accountId}). Note:
          security keys work for console sign-in only, not for the AWS CLI.
        </p>
      </div>
      <Card>
        <FidoEnrollment
          principal={principalKey(principal)}
          userName={principal.userName}
          consoleUrl={consoleUrl}
          baseline={devices.filter((d) => d.type === 'fido').map((d) => d.serial)}
        />
      </Card>
    </div>
  );
}
