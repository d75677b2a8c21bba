import 'server-only';
import { and, count, eq, gte, sql } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { auditLog, signInFailures } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { getEnv } from '@/lib/env';
import { nextAllowedAt } from '@/lib/enrollment/rate-limits';

/**
 * Access-key sign-in throttling. Every sign-in AWS refuses is stored (key id, client address), in the database so that
 * every portal instance sees it; past the limit a sign-in is refused before STS is asked, so guessing secrets costs
 * neither STS calls nor audit rows beyond one notice per window.
 */

type HeaderSource = Headers | Record<string, unknown> | undefined;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(found) ? found.join(',') : typeof found === 'string' ? found : undefined;
}

/**
 * The client address from the configured trusted-proxy header: its last entry, the one that proxy wrote (earlier
 * entries of x-forwarded-for come from the client). Null when no header is configured: then only the key id counts.
 */
export function clientAddress(headers: HeaderSource): string | null {
  const name = getEnv().MFA_TRUSTED_PROXY_HEADER;
  if (!name) return null;
  const last = headerValue(headers, name)?.split(',').at(-1)?.trim();
  return last ? last.slice(0, 100) : null;
}

export type SignInThrottle = { scope: 'key' | 'address'; retryAfterSeconds: number };

const windowMs = () => getEnv().MFA_SIGNIN_WINDOW_MINUTES * 60_000;

/** Whether a sign-in with this key id from this address must be refused now, and for how long. */
export async function signInThrottle(keyId: string, address: string | null, now = new Date()): Promise<SignInThrottle | null> {
  const env = getEnv();
  const db = await getDb();
  const since = new Date(now.getTime() - windowMs());
  const checks: [SignInThrottle['scope'], ReturnType<typeof eq>, number][] = [['key', eq(signInFailures.keyId, keyId), env.MFA_SIGNIN_FAILURES_PER_KEY]];
  if (address) checks.push(['address', eq(signInFailures.address, address), env.MFA_SIGNIN_FAILURES_PER_ADDRESS]);
  let worst: SignInThrottle | null = null;
  for (const [scope, match, max] of checks) {
    const rows = await db.select({ at: signInFailures.at }).from(signInFailures).where(and(match, gte(signInFailures.at, since)));
    const next = nextAllowedAt(rows.map((r) => new Date(Math.min(r.at.getTime(), now.getTime()))), { max, windowMs: windowMs() }, now);
    if (!next) continue;
    const retryAfterSeconds = Math.max(1, Math.ceil((next.getTime() - now.getTime()) / 1000));
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) worst = { scope, retryAfterSeconds };
  }
  return worst;
}

export async function recordSignInFailure(keyId: string, address: string | null): Promise<void> {
  const db = await getDb();
  await db.insert(signInFailures).values({ keyId, address });
  // Old rows no longer count; keep the table small.
  await db.delete(signInFailures).where(sql`${signInFailures.at} < now() - interval '1 day'`);
}

/** One audit row per key id or address and window, however many refused attempts follow. */
export async function auditThrottledOnce(keyId: string, address: string | null, throttle: SignInThrottle, now = new Date()): Promise<void> {
  const db = await getDb();
  const actor = throttle.scope === 'key' ? `access-key:${keyId}` : `address:${address}`;
  const since = new Date(now.getTime() - windowMs());
  const [seen] = await db
    .select({ n: count() })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'auth.sign-in.throttled'), eq(auditLog.actor, actor), gte(auditLog.at, since)));
  if (seen && seen.n > 0) return;
  await recordAudit(db, {
    actor,
    action: 'auth.sign-in.throttled',
    outcome: 'denied',
    detail: { method: 'aws-keys', scope: throttle.scope, retryAfterSeconds: throttle.retryAfterSeconds, ...(throttle.scope === 'address' ? { keyId } : {}) },
  });
}

/**
 * For the next-auth route: a 429 with Retry-After when this access-key sign-in is over its limit, else null (go on).
 * Checked here because the credentials provider's authorize cannot choose the status code. The body is what
 * next-auth's client expects (a url carrying the error code), so the sign-in form shows the message.
 */
export async function refuseThrottledSignIn(request: Request): Promise<Response | null> {
  let keyId = '';
  try {
    const form = await request.clone().formData();
    keyId = String(form.get('accessKeyId') ?? '').trim();
  } catch {
    return null; // Not a form: next-auth refuses it itself.
  }
  if (!keyId) return null;
  const address = clientAddress(request.headers);
  const throttle = await signInThrottle(keyId, address);
  if (!throttle) return null;
  await auditThrottledOnce(keyId, address, throttle);
  const url = new URL('/signin?error=TooManyAttempts', getEnv().NEXTAUTH_URL).toString();
  return Response.json({ url, error: 'TooManyAttempts' }, { status: 429, headers: { 'Retry-After': String(throttle.retryAfterSeconds), 'Cache-Control': 'no-store' } });
}
