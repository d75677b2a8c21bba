import 'server-only';
import { cache } from 'react';
import { getToken } from 'next-auth/jwt';
import { forbidden, redirect } from 'next/navigation';
import { cookies, headers } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/lib/env';
import { getDb } from '@/lib/db/client';
import { resolveSession } from './sessions';
import { hasRole } from './roles';
import type { Actor, Role } from './types';
import { setLogActor } from '@/lib/log';
import { inRequestLogContext } from '@/lib/log/request';

function tokenOptions() {
  const env = getEnv();
  return { secret: env.NEXTAUTH_SECRET, secureCookie: env.NEXTAUTH_URL.startsWith('https://') };
}

/**
 * The cookie names a server-side session row; the row decides whether it lives and holds the roles and principals
 * (re-derived every few minutes). A cookie without one, or naming an ended session, is no session.
 */
async function toActor(token: Record<string, unknown> | null): Promise<Actor | null> {
  if (!token || typeof token.sid !== 'string') return null;
  const actor = await resolveSession(await getDb(), token.sid);
  if (!actor) return null;
  // The sign-in time the cookie was issued with (re-authentication gates); the row's start when absent.
  return typeof token.authTime === 'number' ? { ...actor, authTime: token.authTime } : actor;
}

/**
 * The signed-in person from the session cookie, or null. Never from anything the form sends.
 * Memoised per request: the layout and the page both ask, the cookie is decrypted once.
 */
export const getActor = cache(async function getActor(): Promise<Actor | null> {
  // The encrypted, signed JWT cookie names the session; the database row says whether it is still alive.
  const token = await getToken({
    req: { cookies: await cookies(), headers: {} } as unknown as NextRequest,
    ...tokenOptions(),
  });
  // Pages bind no log context of their own: what resolving the session logs carries the request id here.
  return inRequestLogContext(async () => {
    const actor = await toActor(token);
    if (actor) setLogActor(actor.id);
    return actor;
  });
});

/** For pages and server actions: the actor, or a redirect to sign-in. */
export async function requireUser(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) {
    const path = (await headers()).get('x-portal-path') ?? '/';
    redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  }
  return actor;
}

/** For pages and server actions: the actor if they hold the role; otherwise 403 (forbidden.tsx). */
export async function requireRole(role: Role): Promise<Actor> {
  const actor = await requireUser();
  if (!hasRole(actor.roles, role)) forbidden();
  return actor;
}

/** For route handlers: the actor, or the 401/403 response to return. */
export async function authorizeRequest(
  request: NextRequest,
  role: Role = 'member',
): Promise<{ actor: Actor; response?: undefined } | { actor?: undefined; response: NextResponse }> {
  const token = await getToken({ req: request, ...tokenOptions() });
  const actor = await toActor(token);
  if (!actor) return { response: NextResponse.json({ error: 'Sign in required' }, { status: 401 }) };
  setLogActor(actor.id);
  if (!hasRole(actor.roles, role)) return { response: NextResponse.json({ error: 'Forbidden' }, { status: 403 }) };
  return { actor };
}
