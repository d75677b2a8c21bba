import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NextRequest } from 'next/server';
import { encode } from 'next-auth/jwt';

const SECRET = 'x'.repeat(40);
const NEXTAUTH_SECRET = 'unit-test-secret-with-at-least-32-chars';
const env = { MFA_CRON_SECRET: SECRET as string | undefined, NEXTAUTH_SECRET, NEXTAUTH_URL: 'http://localhost' };
vi.mock('@/lib/env', () => ({ getEnv: () => env, getLogLevel: () => 'info' }));
const timingSafeEqual = vi.hoisted(() => vi.fn());
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  timingSafeEqual.mockImplementation(real.timingSafeEqual);
  return { ...real, default: real, timingSafeEqual };
});

const { authorizeScheduledJob, bearerMatches } = await import('./scheduler');

const request = (headers: Record<string, string> = {}) => new NextRequest('http://localhost/api/cron/inventory', { method: 'POST', headers });
const bearer = (authorization: string) => request({ authorization });

/** A real next-auth session cookie of an admin, as the browser would send it. */
async function adminCookie(): Promise<string> {
  const token = await encode({
    secret: NEXTAUTH_SECRET,
    token: { portal: { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin', 'security'], principals: [] }, authTime: Math.floor(Date.now() / 1000) },
  });
  return `next-auth.session-token=${token}`;
}

beforeEach(() => {
  env.MFA_CRON_SECRET = SECRET;
});

describe('bearerMatches', () => {
  it('matches only the exact configured secret', () => {
    expect(bearerMatches(bearer(`Bearer ${SECRET}`), SECRET)).toBe(true);
    expect(bearerMatches(bearer(`Bearer ${SECRET}x`), SECRET)).toBe(false);
    expect(bearerMatches(bearer(`Bearer ${SECRET.slice(1)}`), SECRET)).toBe(false);
    expect(bearerMatches(bearer(`Basic ${SECRET}`), SECRET)).toBe(false);
    expect(bearerMatches(request(), SECRET)).toBe(false);
  });
  it('never matches when no secret is configured', () => {
    expect(bearerMatches(bearer('Bearer '), undefined)).toBe(false);
    expect(bearerMatches(bearer('Bearer anything'), undefined)).toBe(false);
  });
  it('compares equal-length tokens with crypto.timingSafeEqual', () => {
    timingSafeEqual.mockClear();
    expect(bearerMatches(bearer(`Bearer ${'y'.repeat(40)}`), SECRET)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('authorizeScheduledJob', () => {
  it('the scheduler with the bearer token acts as "scheduler"', async () => {
    expect(await authorizeScheduledJob(bearer(`Bearer ${SECRET}`))).toEqual({ actor: 'scheduler' });
  });

  it("an admin's session cookie alone gets 401 (a page on another origin can make the browser send it)", async () => {
    const res = await authorizeScheduledJob(request({ cookie: await adminCookie() }));
    expect(res.actor).toBeUndefined();
    expect(res.response?.status).toBe(401);
    expect(res.response?.headers.get('www-authenticate')).toBe('Bearer');
    expect((await authorizeScheduledJob(request({ cookie: await adminCookie(), origin: 'http://localhost' }))).response?.status).toBe(401);
  });

  it('checks the Origin as server actions do: another origin is refused even with the token', async () => {
    expect((await authorizeScheduledJob(request({ cookie: await adminCookie(), origin: 'http://evil.example' }))).response?.status).toBe(403);
    expect((await authorizeScheduledJob(request({ authorization: `Bearer ${SECRET}`, origin: 'http://evil.example' }))).response?.status).toBe(403);
    expect((await authorizeScheduledJob(request({ authorization: `Bearer ${SECRET}`, origin: 'null' }))).response?.status).toBe(403);
    expect(await authorizeScheduledJob(request({ authorization: `Bearer ${SECRET}`, origin: 'http://localhost' }))).toEqual({ actor: 'scheduler' });
  });

  it('a wrong token, with or without a session, gets 401', async () => {
    expect((await authorizeScheduledJob(bearer('Bearer wrong'))).response?.status).toBe(401);
    expect((await authorizeScheduledJob(request({ authorization: 'Bearer wrong', cookie: await adminCookie() }))).response?.status).toBe(401);
  });

  it('with no secret configured, nothing is enough', async () => {
    env.MFA_CRON_SECRET = undefined;
    expect((await authorizeScheduledJob(bearer('Bearer '))).response?.status).toBe(401);
    expect((await authorizeScheduledJob(request({ cookie: await adminCookie() }))).response?.status).toBe(401);
  });
});
