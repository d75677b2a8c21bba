import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/lib/env';
import { setLogActor } from '@/lib/log';

/** Constant-time check of `Authorization: Bearer <secret>`; never matches when no secret is configured. */
export function bearerMatches(request: Pick<NextRequest, 'headers'>, secret: string | undefined): boolean {
  const given = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (!secret || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * For scheduled-job routes (/api/cron/*): only the scheduler's bearer token (MFA_CRON_SECRET). A session cookie is
 * not enough: a page on another origin can make a signed-in admin's browser post here with the cookie attached, but
 * it cannot add the Authorization header. Admins run the same jobs from the admin pages' server actions.
 */
export async function authorizeScheduledJob(
  request: NextRequest,
): Promise<{ actor: 'scheduler'; response?: undefined } | { actor?: undefined; response: NextResponse }> {
  const env = getEnv();
  // As for server actions: a browser on another origin says so in Origin; a scheduler sends none.
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(env.NEXTAUTH_URL).origin) {
    return { response: NextResponse.json({ error: 'Cross-origin request refused' }, { status: 403, headers: { 'Cache-Control': 'no-store' } }) };
  }
  if (bearerMatches(request, env.MFA_CRON_SECRET)) {
    setLogActor('scheduler');
    return { actor: 'scheduler' };
  }
  return {
    response: NextResponse.json(
      { error: 'This route is for the scheduler: send Authorization: Bearer <MFA_CRON_SECRET>' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' } },
    ),
  };
}
