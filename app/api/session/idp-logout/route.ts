import { getToken } from 'next-auth/jwt';
import type { NextRequest } from 'next/server';
import { getDb } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { resolveSession } from '@/lib/auth/sessions';
import { idpLogoutUrl } from '@/lib/auth/idp-logout';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * Called by the sign-out button just before next-auth's sign-out: the IdP logout URL for the caller's own live
 * session (POST, so it is never cached or prefetched). It carries the ID token only for the one redirect.
 */
async function handlePost(request: NextRequest) {
  const headers = { 'cache-control': 'no-store' };
  const token = await getToken({ req: request, secret: getEnv().NEXTAUTH_SECRET });
  const sid = typeof token?.sid === 'string' ? token.sid : null;
  const db = await getDb();
  if (!sid || !(await resolveSession(db, sid))) return Response.json({ url: null }, { status: 401, headers });
  return Response.json({ url: await idpLogoutUrl(db, sid) }, { headers });
}

export const POST = withRequestLog(handlePost);
