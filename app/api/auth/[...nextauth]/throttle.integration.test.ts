import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { setTestEnv } from '@/test-support/env';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import { getAuthOptions } from '@/lib/auth/options';
import { refuseThrottledSignIn } from '@/lib/auth/throttle';
import { POST } from './route';

let endpoint: string;

beforeAll(async () => {
  const { stack } = await useLocalStack();
  // As behind a reverse proxy that appends the client's address to x-forwarded-for.
  setTestEnv({ MFA_TRUSTED_PROXY_HEADER: 'x-forwarded-for' });
  endpoint = stack.awsEndpoint;
  resetAwsClients();
});

afterEach(async () => {
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
});

/** A zero-latency proxy rule on sts:GetCallerIdentity: its remaining count tells how many STS calls were made. */
async function countStsCalls() {
  const res = await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify([{ action: 'GetCallerIdentity', kind: 'latency', latencyMs: 0, times: 1000 }]) });
  expect(res.ok).toBe(true);
  return async () => {
    const { rules } = (await (await fetch(`${endpoint}/_local/faults`)).json()) as { rules: { action: string; times: number }[] };
    return 1000 - (rules.find((r) => r.action === 'GetCallerIdentity')?.times ?? 0);
  };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const newKeyId = () => `AKIA${Array.from({ length: 16 }, () => B32[Math.floor(Math.random() * 32)]).join('')}`;
const SECRET = 'wrongwrongwrongwrongwrongwrongwrongwrong';

/** The browser's POST to next-auth's credentials callback, as it reaches the route behind the proxy. */
function callbackRequest(accessKeyId: string, forwardedFor: string) {
  return new Request('http://localhost:3000/api/auth/callback/aws-keys', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ accessKeyId, secretAccessKey: SECRET, csrfToken: 'token', callbackUrl: '/', json: 'true' }),
  });
}
const postToRoute = (accessKeyId: string, forwardedFor: string) =>
  POST(callbackRequest(accessKeyId, forwardedFor), { params: Promise.resolve({ nextauth: ['callback', 'aws-keys'] }) });

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
function authorize(accessKeyId: string, forwardedFor: string): Promise<string> {
  const provider = getAuthOptions().providers.map((p) => p as unknown as { options: { id?: string; authorize: Authorize } }).find((p) => p.options?.id === 'aws-keys')!;
  return provider.options.authorize({ accessKeyId, secretAccessKey: SECRET }, { headers: { 'x-forwarded-for': forwardedFor } }).then(
    () => 'signed in',
    (e: Error) => e.message,
  );
}

/** One sign-in as the route runs it: the throttle check, then (when it lets the request through) next-auth's authorize. */
async function signInOnce(accessKeyId: string, forwardedFor: string): Promise<string> {
  const refused = await refuseThrottledSignIn(callbackRequest(accessKeyId, forwardedFor));
  return refused ? `HTTP ${refused.status}` : authorize(accessKeyId, forwardedFor);
}

const throttledAudits = async (actor: string) =>
  (await getDb()).select().from(auditLog).where(and(eq(auditLog.action, 'auth.sign-in.throttled'), eq(auditLog.actor, actor)));

describe('access-key sign-in throttling', () => {
  it('after 5 failures for a key id: 429 with Retry-After, no STS call, one audit row per window', async () => {
    const stsCalls = await countStsCalls();
    const key = newKeyId();
    for (let i = 0; i < 5; i++) expect(await signInOnce(key, `198.51.100.${i}`)).toBe('InvalidKeys');
    expect(await stsCalls()).toBe(5);

    const t0 = Date.now();
    const res = await postToRoute(key, '198.51.100.99');
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    // The first failure leaves the 15-minute window a little under 15 minutes from now.
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(new URL(((await res.json()) as { url: string }).url).searchParams.get('error')).toBe('TooManyAttempts');
    expect((await postToRoute(key, '198.51.100.98')).status).toBe(429);
    // authorize refuses too, should anything reach it.
    expect(await authorize(key, '198.51.100.97')).toBe('TooManyAttempts');
    expect(await stsCalls()).toBe(5);
    expect(Date.now() - t0).toBeLessThan(60_000);

    const audits = await throttledAudits(`access-key:${key}`);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ outcome: 'denied', detail: { scope: 'key', method: 'aws-keys' } });

    // Another key from another address is not affected.
    expect(await signInOnce(newKeyId(), '198.51.100.50')).toBe('InvalidKeys');
    expect(await stsCalls()).toBe(6);
  });

  it('after 20 failures from one address (the proxy-written last x-forwarded-for entry): any key from it gets 429', async () => {
    const stsCalls = await countStsCalls();
    const address = '203.0.113.7';
    // The client's own entries (before the proxy's) do not choose the address.
    for (let i = 0; i < 20; i++) expect(await signInOnce(newKeyId(), `10.0.0.${i}, ${address}`)).toBe('InvalidKeys');
    expect(await stsCalls()).toBe(20);

    const fresh = newKeyId();
    const res = await postToRoute(fresh, `10.9.9.9, ${address}`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await postToRoute(newKeyId(), address)).toHaveProperty('status', 429);
    expect(await stsCalls()).toBe(20);
    expect(await throttledAudits(`address:${address}`)).toHaveLength(1);

    // The same key from another address goes on to AWS.
    expect(await signInOnce(fresh, '203.0.113.8')).toBe('InvalidKeys');
    expect(await stsCalls()).toBe(21);
  });
});
