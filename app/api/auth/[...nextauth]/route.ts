import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/auth/options';
import { refuseThrottledSignIn } from '@/lib/auth/throttle';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

// next-auth authenticates these requests itself (CSRF token, state, PKCE); nothing here trusts the form.
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  // Throttled access-key sign-ins get 429 + Retry-After here, before next-auth (whose authorize cannot set a status).
  if (request.method === 'POST' && (await context.params).nextauth.join('/') === 'callback/aws-keys') {
    const refused = await refuseThrottledSignIn(request);
    if (refused) return refused;
  }
  return NextAuth(getAuthOptions())(request, context);
}

const logged = withRequestLog(handler);
export { logged as GET, logged as POST };
