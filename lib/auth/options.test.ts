import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account, Profile, User } from 'next-auth';
import { setTestEnv } from '@/test-support/env';

setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
  OIDC_ISSUER: 'http://127.0.0.1:9/issuer',
  OIDC_CLIENT_ID: 'mfa-portal',
  OIDC_CLIENT_SECRET: 'client-secret',
});

// No AWS and no database here: the IAM lookup and the audit writer are stand-ins; the decision under test is ours.
const identityForEmail = vi.hoisted(() => vi.fn());
const audit = vi.hoisted(() => ({ rows: [] as Record<string, unknown>[] }));
vi.mock('./principals', async (importOriginal) => ({ ...(await importOriginal<object>()), identityForEmail }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async (_db: unknown, row: Record<string, unknown>) => void audit.rows.push(row) }));

const { getAuthOptions, oidcEmailTrusted } = await import('./options');
const { getEnv } = await import('@/lib/env');

async function oidcSignIn(claims: Record<string, unknown>) {
  const profile = { sub: 'sub-1', email: 'alice@example.com', name: 'Alice', ...claims } as unknown as Profile;
  const user = { id: 'sub-1' } as User;
  return getAuthOptions().callbacks!.signIn!({ user, account: { provider: 'oidc' } as Account, profile });
}

beforeEach(() => {
  audit.rows = [];
  identityForEmail.mockReset();
  identityForEmail.mockResolvedValue({ id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', method: 'oidc', roles: ['member'], principals: [] });
  (getEnv() as { OIDC_ALLOW_MISSING_EMAIL_VERIFIED: boolean }).OIDC_ALLOW_MISSING_EMAIL_VERIFIED = false;
});

describe('OIDC sign-in trusts the email only when the IdP verified it', () => {
  it('email_verified true signs in', async () => {
    expect(await oidcSignIn({ email_verified: true })).toBe(true);
    expect(identityForEmail).toHaveBeenCalledWith(expect.objectContaining({ email: 'alice@example.com' }));
  });

  it.each([
    ['missing', {}],
    ['false', { email_verified: false }],
    ['the string "false"', { email_verified: 'false' }],
    ['a number', { email_verified: 1 }],
  ])('email_verified %s is refused, audited, and never looked up in IAM', async (_label, claims) => {
    expect(await oidcSignIn(claims)).toBe('/signin?error=EmailNotVerified');
    expect(identityForEmail).not.toHaveBeenCalled();
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'auth.sign-in', outcome: 'failure', detail: { method: 'oidc', reason: 'EmailNotVerified' } })]);
  });

  it('with OIDC_ALLOW_MISSING_EMAIL_VERIFIED, a missing claim is accepted but false is still refused', async () => {
    (getEnv() as { OIDC_ALLOW_MISSING_EMAIL_VERIFIED: boolean }).OIDC_ALLOW_MISSING_EMAIL_VERIFIED = true;
    expect(await oidcSignIn({})).toBe(true);
    expect(await oidcSignIn({ email_verified: false })).toBe('/signin?error=EmailNotVerified');
  });

  it('the setting is off by default', () => {
    expect(oidcEmailTrusted({}, false)).toBe(false);
    expect(oidcEmailTrusted({ email_verified: 'true' }, false)).toBe(true);
  });
});

describe("next-auth's redirect callback", () => {
  it.each([
    ['/%09/evil.example/', 'http://127.0.0.1:3000/%09/evil.example/'],
    ['/\t/evil.example/', 'http://127.0.0.1:3000/'],
    ['https://evil.example/', 'http://127.0.0.1:3000/'],
    ['//evil.example', 'http://127.0.0.1:3000/'],
    ['http://127.0.0.1:3000/admin?x=1', 'http://127.0.0.1:3000/admin?x=1'],
    ['/enroll', 'http://127.0.0.1:3000/enroll'],
  ])('%j -> %j', async (url, out) => {
    expect(await getAuthOptions().callbacks!.redirect!({ url, baseUrl: 'http://127.0.0.1:3000' })).toBe(out);
  });
});
