import Link from 'next/link';
import { requireUser } from '@/lib/auth/session';
import { pickOwnPrincipal, principalKey } from '@/lib/enrollment/ownership';
import { Card } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { accountLabel, PrincipalPicker } from '@/components/enrollment/principal-picker';

export const metadata = { title: 'Add an MFA device' };

const kinds = [
  { type: 'virtual', title: 'Authenticator app', text: 'An app on your phone or computer shows a new 6-digit code every 30 seconds. Quickest to set up.' },
  { type: 'hardware', title: 'Hardware TOTP token', text: 'A key-fob token with a display, issued by your organisation. You need its serial number.' },
  { type: 'fido', title: 'Security key or passkey', text: 'A FIDO key (e.g. YubiKey) or a passkey. Strongest against phishing; registered in the AWS console.' },
] as const;

export default async function EnrollPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const actor = await requireUser();
  const { user } = await searchParams;
  const principal = pickOwnPrincipal(actor, user);
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
            For IAM user <strong className="font-mono">{principal.userName}</strong> in {accountLabel(principal.accountId)} ({principal.accountId}). Choose
            the kind of device:
          </p>
          <ul className="grid gap-4 md:grid-cols-3">
            {kinds.map((k) => (
              <li key={k.type}>
                <Card as="article" className="h-full">
                  <h2 className="text-lg font-semibold">
                    <Link className="underline" href={`/enroll/${k.type}?user=${encodeURIComponent(principalKey(principal))}`}>
                      {k.title}
                    </Link>
                  </h2>
                  <p className="mt-2 text-sm text-slate-700">{k.text}</p>
                </Card>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
