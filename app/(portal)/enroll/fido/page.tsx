import { requireUser } from '@/lib/auth/session';
import { startFidoEnrollment } from '@/lib/enrollment/fido';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { FidoEnrollment } from './fido-enrollment';
import { PrincipalPicker } from '@/components/enrollment/principal-picker';
import { accountLabel } from '@/lib/accounts/registry';
import { TypeRefused } from '@/components/enrollment/type-refused';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';

export const metadata = { title: 'Set up a security key or passkey' };

const title = 'Set up a security key or passkey';

export default async function FidoEnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const principal = pickOwnPrincipal(actor, (await searchParams).user);
  if (!principal) {
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-bold sm:text-3xl">{title}</h1>
        <PrincipalPicker principals={actor.principals} href="/enroll/fido" />
      </div>
    );
  }
  const started = await startFidoEnrollment(actor, principal);
  if (started.status === 'error' && started.code === 'DeviceTypeNotAllowed') return <TypeRefused title={title} message={started.message} principal={principal} />;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">{title}</h1>
        <p className="mt-1 text-slate-700">
          For IAM user <strong className="font-mono">{principal.userName}</strong> in {await accountLabel(principal.accountId)} ({principal.accountId}). Note:
          security keys work for console sign-in only, not for the AWS CLI.
        </p>
      </div>
      {started.status === 'success' ? (
        <Card>
          <FidoEnrollment principal={principalKey(principal)} accountId={principal.accountId} userName={principal.userName} consoleUrl={started.data.consoleUrl} baseline={started.data.baseline} />
        </Card>
      ) : (
        <Alert tone="error" title="Could not start">
          {started.status === 'error' ? started.message : 'Reload the page.'}
        </Alert>
      )}
    </div>
  );
}
