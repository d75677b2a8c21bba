import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { portalSessions } from '@/lib/db/schema';
import { getEnv, oidcConfigured } from '@/lib/env';

/** Where the IdP sends the browser after its own sign-out; registered on the IdP client as a post_logout_redirect_uri. */
export function postLogoutRedirectUri(): string {
  return new URL('/signin?signedOut=1', getEnv().NEXTAUTH_URL).href;
}

/** A discovery answer is kept this long: one sign-out asks for it twice (the link, then the audit row). */
const DISCOVERY_TTL_MS = 5 * 60_000;
let discovered: { issuer: string; endpoint: string | null; at: number } | null = null;

/** The IdP's end_session_endpoint from its discovery document, or null when it offers none or cannot be reached. */
export async function endSessionEndpoint(now = Date.now()): Promise<string | null> {
  const env = getEnv();
  if (!oidcConfigured(env)) return null;
  const issuer = env.OIDC_ISSUER!.replace(/\/$/, '');
  if (discovered && discovered.issuer === issuer && now - discovered.at < DISCOVERY_TTL_MS) return discovered.endpoint;
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(3000), cache: 'no-store' });
    if (!res.ok) return null;
    const endpoint = ((await res.json()) as { end_session_endpoint?: unknown }).end_session_endpoint;
    const found = typeof endpoint === 'string' && /^https?:\/\//.test(endpoint) ? endpoint : null;
    // Only an answer is kept; an IdP that could not be reached is asked again next time.
    discovered = { issuer, endpoint: found, at: now };
    return found;
  } catch {
    // Sign-out must still end the portal's own session when the IdP is down.
    return null;
  }
}

/**
 * The RP-initiated logout URL for a live session that signed in with the IdP, or null (access keys, no ID token kept,
 * or no end_session_endpoint): then sign-out ends only the portal's session, as before.
 */
export async function idpLogoutUrl(db: Db, sid: string): Promise<string | null> {
  const [row] = await db
    .select({ method: portalSessions.method, idToken: portalSessions.idToken, endedAt: portalSessions.endedAt })
    .from(portalSessions)
    .where(eq(portalSessions.id, sid))
    .limit(1);
  if (!row || row.endedAt || row.method !== 'oidc' || !row.idToken) return null;
  const endpoint = await endSessionEndpoint();
  if (!endpoint) return null;
  const url = new URL(endpoint);
  url.searchParams.set('id_token_hint', row.idToken);
  url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri());
  return url.href;
}
