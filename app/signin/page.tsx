import { redirect } from 'next/navigation';
import { getEnv, oidcConfigured } from '@/lib/env';
import { getActor } from '@/lib/auth/session';
import { signInMessage } from '@/lib/auth/messages';
import { safeReturnTo } from '@/lib/security/return-to';
import { AccessKeySignIn, OidcSignIn } from '@/components/auth/sign-in-forms';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';

export const metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string; signedOut?: string; reauth?: string }>;
}) {
  const params = await searchParams;
  const env = getEnv();
  const callbackUrl = safeReturnTo(params.callbackUrl, new URL(env.NEXTAUTH_URL).origin);
  const reauth = params.reauth === '1';
  if (!reauth && (await getActor())) redirect(callbackUrl);
  const error = signInMessage(params.error);
  const oidc = oidcConfigured(env);

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4 py-10">
      <h1 className="text-center text-3xl font-bold tracking-tight">MFA Portal</h1>
      <p className="mt-2 text-center text-slate-700">Sign in to see your AWS IAM users and set up multi-factor authentication.</p>
      <div className="mt-6 space-y-4">
        {params.signedOut && !error && <Alert tone="success">You are signed out.</Alert>}
        {reauth && !error && <Alert tone="info">Sign in again to confirm it is you. Sensitive changes need a sign-in from the last 5 minutes.</Alert>}
        {error && <Alert tone="error">{error}</Alert>}
        {oidc && (
          <Card aria-labelledby="oidc-heading">
            <h2 id="oidc-heading" className="mb-3 text-lg font-semibold">With your company account</h2>
            <OidcSignIn label={env.OIDC_DISPLAY_NAME} callbackUrl={callbackUrl} reauth={reauth} />
          </Card>
        )}
        {env.MFA_AWS_KEYS_SIGNIN && (
          <Card aria-labelledby="keys-heading">
            <h2 id="keys-heading" className="mb-3 text-lg font-semibold">With your IAM user&apos;s access keys</h2>
            <AccessKeySignIn callbackUrl={callbackUrl} />
          </Card>
        )}
      </div>
    </main>
  );
}
