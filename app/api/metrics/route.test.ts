import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NextRequest } from 'next/server';
import { setTestEnv } from '@/test-support/env';

const TOKEN = 'metrics-token-with-at-least-32-characters';
const BASE = {
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
};

// The stored coverage the gauge reads at scrape time; this unit test has no database.
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/ops/coverage', () => ({
  readCoverage: async () => [
    { accountId: '111111111111', inScope: 7, compliant: 5 },
    { accountId: '222222222222', inScope: 2, compliant: 2 },
  ],
}));

/** The route as a fresh server would load it with `token` configured (getEnv reads the settings once). */
async function route(token: string) {
  vi.resetModules();
  setTestEnv({ ...BASE, MFA_METRICS_TOKEN: token });
  return (await import('./route')).GET;
}

const get = (GET: (r: NextRequest) => Promise<Response>, authorization?: string) =>
  GET(new NextRequest('http://127.0.0.1:3000/api/metrics', { headers: authorization ? { authorization } : {} }));

describe('GET /api/metrics', () => {
  beforeEach(() => vi.resetModules());

  it('does not exist without MFA_METRICS_TOKEN, whatever is sent', async () => {
    const GET = await route('');
    expect((await get(GET)).status).toBe(404);
    expect((await get(GET, `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it('refuses a missing, wrong, shorter, longer or non-bearer token with 401', async () => {
    const GET = await route(TOKEN);
    for (const auth of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const response = await get(GET, auth);
      expect(response.status, String(auth)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('mfa_portal_');
    }
  });

  it('answers Prometheus text with the series and the coverage read at scrape time for the right token', async () => {
    const GET = await route(TOKEN);
    const response = await get(GET, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    for (const name of ['mfa_portal_aws_calls_total', 'mfa_portal_aws_throttles_total', 'mfa_portal_inventory_run_duration_seconds', 'mfa_portal_inventory_runs_total', 'mfa_portal_enrollment_steps_total', 'mfa_portal_iam_event_lag_seconds', 'mfa_portal_iam_events_total', 'mfa_portal_coverage_users']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('mfa_portal_coverage_users{account_id="111111111111",state="in_scope"} 7');
    expect(text).toContain('mfa_portal_coverage_users{account_id="111111111111",state="compliant"} 5');
    expect(text).toContain('mfa_portal_coverage_users{account_id="222222222222",state="compliant"} 2');
    // Only the portal's own registry: none of prom-client's default process series.
    expect(text).not.toMatch(/^process_|^nodejs_/m);
  });
});
