import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NextRequest, NextResponse } from 'next/server';

const SECRET = 'x'.repeat(40);
const env = { MFA_CRON_SECRET: SECRET as string | undefined };
vi.mock('@/lib/env', () => ({ getEnv: () => env }));
const authorizeRequest = vi.fn();
vi.mock('./session', () => ({ authorizeRequest: (...args: unknown[]) => authorizeRequest(...args) }));

const { authorizeScheduledJob, bearerMatches } = await import('./scheduler');

const request = (authorization?: string) =>
  new NextRequest('http://localhost/api/cron/inventory', { method: 'POST', headers: authorization ? { authorization } : {} });

beforeEach(() => {
  env.MFA_CRON_SECRET = SECRET;
  authorizeRequest.mockReset();
});

describe('bearerMatches', () => {
  it('matches only the exact configured secret', () => {
    expect(bearerMatches(request(`Bearer ${SECRET}`), SECRET)).toBe(true);
    expect(bearerMatches(request(`Bearer ${SECRET}x`), SECRET)).toBe(false);
    expect(bearerMatches(request(`Basic ${SECRET}`), SECRET)).toBe(false);
    expect(bearerMatches(request(), SECRET)).toBe(false);
  });
  it('never matches when no secret is configured', () => {
    expect(bearerMatches(request('Bearer '), undefined)).toBe(false);
    expect(bearerMatches(request('Bearer anything'), undefined)).toBe(false);
  });
});

describe('authorizeScheduledJob', () => {
  it('the scheduler with the bearer token acts as "scheduler" without a session', async () => {
    expect(await authorizeScheduledJob(request(`Bearer ${SECRET}`))).toEqual({ actor: 'scheduler' });
    expect(authorizeRequest).not.toHaveBeenCalled();
  });

  it('without the token: an admin session is required (401 unauthenticated, 403 wrong role)', async () => {
    authorizeRequest.mockResolvedValueOnce({ response: NextResponse.json({}, { status: 401 }) });
    expect((await authorizeScheduledJob(request('Bearer wrong'))).response?.status).toBe(401);
    authorizeRequest.mockResolvedValueOnce({ response: NextResponse.json({}, { status: 403 }) });
    expect((await authorizeScheduledJob(request())).response?.status).toBe(403);
    expect(authorizeRequest).toHaveBeenLastCalledWith(expect.anything(), 'admin');
    authorizeRequest.mockResolvedValueOnce({ actor: { id: 'admin@example.com' } });
    expect(await authorizeScheduledJob(request())).toEqual({ actor: 'admin@example.com' });
  });

  it('with no secret configured, a bearer header alone is never enough', async () => {
    env.MFA_CRON_SECRET = undefined;
    authorizeRequest.mockResolvedValueOnce({ response: NextResponse.json({}, { status: 401 }) });
    expect((await authorizeScheduledJob(request('Bearer '))).response?.status).toBe(401);
  });
});
