import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/auth/options';

export const dynamic = 'force-dynamic';

// next-auth authenticates these requests itself (CSRF token, state, PKCE); nothing here trusts the form.
function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(getAuthOptions())(request, context);
}

export { handler as GET, handler as POST };
