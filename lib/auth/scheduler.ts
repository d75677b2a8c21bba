import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import type { NextRequest, NextResponse } from 'next/server';
import { getEnv } from '@/lib/env';
import { authorizeRequest } from './session';

/** Constant-time check of `Authorization: Bearer <secret>`; never matches when no secret is configured. */
export function bearerMatches(request: Pick<NextRequest, 'headers'>, secret: string | undefined): boolean {
  const given = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (!secret || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * For scheduled-job routes (/api/cron/*): the scheduler's bearer token (MFA_CRON_SECRET), or an admin's
 * session. Returns who acts ('scheduler' or the admin's id), or the 401/403 response to send.
 */
export async function authorizeScheduledJob(
  request: NextRequest,
): Promise<{ actor: string; response?: undefined } | { actor?: undefined; response: NextResponse }> {
  if (bearerMatches(request, getEnv().MFA_CRON_SECRET)) return { actor: 'scheduler' };
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return { response: auth.response };
  return { actor: auth.actor.id };
}
