import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTestEnv } from '@/test-support/env';

// A real HTTP server plays the IdP's discovery document, so the fetch, the parsing and the caching are the real ones.
let server: Server;
let discovery: Record<string, unknown> | null = {};
let requests = 0;
let issuer = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    if (!discovery) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setTestEnv({
    NEXTAUTH_URL: 'http://127.0.0.1:3000',
    NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
    MFA_ACCOUNTS: '111111111111',
    MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'portal',
    OIDC_CLIENT_SECRET: 'portal-secret',
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('endSessionEndpoint', () => {
  it('is null when the IdP is down (asked again next time), or offers no end_session_endpoint; the endpoint when it does, asked once per five minutes', async () => {
    const { endSessionEndpoint } = await import('./idp-logout');
    const t0 = Date.now();

    discovery = null;
    expect(await endSessionEndpoint(t0)).toBeNull();
    expect(await endSessionEndpoint(t0)).toBeNull();
    expect(requests).toBe(2);

    discovery = { issuer };
    expect(await endSessionEndpoint(t0)).toBeNull();
    expect(requests).toBe(3);

    discovery = { issuer, end_session_endpoint: `${issuer}/session/end` };
    expect(await endSessionEndpoint(t0 + 60_000)).toBeNull();
    expect(requests).toBe(3);
    expect(await endSessionEndpoint(t0 + 5 * 60_000 + 1)).toBe(`${issuer}/session/end`);
    expect(await endSessionEndpoint(t0 + 5 * 60_000 + 2)).toBe(`${issuer}/session/end`);
    expect(requests).toBe(4);

    discovery = { issuer, end_session_endpoint: 'javascript:alert(1)' };
    expect(await endSessionEndpoint(t0 + 20 * 60_000)).toBeNull();
  });
});
