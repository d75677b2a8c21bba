import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/lib/env';
import { contentSecurityPolicy, securityHeaders } from '@/lib/security/headers';
import { refuseOversizedBody } from '@/lib/security/body-limit';
import { REQUEST_ID_HEADER, requestIdFrom } from '@/lib/log/request-id';

const PUBLIC_PATHS = ['/signin', '/api/auth'];
const SESSION_COOKIES = ['next-auth.session-token', '__Secure-next-auth.session-token'];

/**
 * Headers for every response and a fast redirect to sign-in when there is no session cookie at all.
 * This is not authorization: every page, route handler and action checks the session itself.
 */
export function proxy(request: NextRequest) {
  // One id per request, forwarded to the handlers (their log lines carry it) and echoed to the client.
  const requestId = requestIdFrom(request.headers);
  const tooLarge = refuseOversizedBody(request);
  if (tooLarge) {
    tooLarge.headers.set(REQUEST_ID_HEADER, requestId);
    return tooLarge;
  }
  const env = getEnv();
  const https = env.NEXTAUTH_URL.startsWith('https://');
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy({
    nonce,
    dev: env.NODE_ENV === 'development',
    https,
    formTargets: env.OIDC_ISSUER ? [new URL(env.OIDC_ISSUER).origin] : [],
  });
  const { pathname, search } = request.nextUrl;

  const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  const hasSession = request.cookies.getAll().some((c) => SESSION_COOKIES.some((name) => c.name.startsWith(name)));
  let response: NextResponse;
  // Only page loads are redirected; server actions (POST) answer for themselves with a clear result.
  const isNavigation = request.method === 'GET' || request.method === 'HEAD';
  if (!isPublic && !hasSession && isNavigation && !pathname.startsWith('/api/')) {
    const url = new URL('/signin', env.NEXTAUTH_URL);
    url.searchParams.set('callbackUrl', `${pathname}${search}`);
    response = NextResponse.redirect(url);
  } else {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('x-nonce', nonce);
    requestHeaders.set(REQUEST_ID_HEADER, requestId);
    requestHeaders.set('Content-Security-Policy', csp);
    requestHeaders.set('x-portal-path', `${pathname}${search}`);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set('Content-Security-Policy', csp);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  for (const [k, v] of Object.entries(securityHeaders({ https }))) response.headers.set(k, v);
  // Pages show people's IAM users and MFA state; nothing of it may be kept by browsers or shared caches.
  response.headers.set('Cache-Control', 'no-store, max-age=0');
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico|robots.txt).*)' }],
};
