import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, safeCallbackPath, securityHeaders } from './headers';

describe('contentSecurityPolicy', () => {
  it('allows scripts only with the nonce and forbids framing', () => {
    const csp = contentSecurityPolicy({ nonce: 'abc', dev: false, https: true, formTargets: ['https://idp.example.com'] });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https://idp.example.com");
    expect(csp).toContain('upgrade-insecure-requests');
  });
  it('adds HSTS only over https', () => {
    expect(securityHeaders({ https: true })['Strict-Transport-Security']).toMatch(/max-age=\d+/);
    expect(securityHeaders({ https: false })['Strict-Transport-Security']).toBeUndefined();
  });
});

describe('safeCallbackPath', () => {
  it.each([
    ['/admin', '/admin'],
    ['/admin?x=1', '/admin?x=1'],
    ['//evil.example.com', '/'],
    ['/\\evil.example.com', '/'],
    ['https://evil.example.com/', '/'],
    ['http://127.0.0.1:3000/admin', '/admin'],
    [undefined, '/'],
  ])('%s -> %s', (input, out) => expect(safeCallbackPath(input, 'http://127.0.0.1:3000')).toBe(out));
});
