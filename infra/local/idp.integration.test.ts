import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { IDP_TITLE, WRONG_CREDENTIALS } from './idp-pages';

const stack = inject('stack');
const issuer = stack.issuer;
const clientId = stack.env.OIDC_CLIENT_ID ?? '';
const clientSecret = stack.env.OIDC_CLIENT_SECRET ?? '';
const redirectUri = `${stack.env.NEXTAUTH_URL}/api/auth/callback/oidc`;
const postLogoutRedirectUri = `${stack.env.NEXTAUTH_URL}/signin`;

type Discovery = Record<string, unknown> & { authorization_endpoint: string; token_endpoint: string; jwks_uri: string; end_session_endpoint: string };
const discover = async () => (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Discovery;

/** A browser, reduced to what an OIDC flow needs: a cookie jar and manual redirects. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const res = await fetch(new URL(url, issuer), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }

  /** Follows redirects within the IdP; stops at a page or at a redirect to the portal. */
  async follow(url: string, init: { form?: Record<string, string> } = {}) {
    let res = await this.request(url, init);
    while (res.location && !res.location.startsWith(stack.env.NEXTAUTH_URL ?? '')) res = await this.request(res.location);
    return res;
  }
}

const base64url = (buf: Buffer) => buf.toString('base64url');

function authorizeUrl(discovery: Discovery, pkce: { challenge: string }, state: string, nonce: string): string {
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile groups',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

async function verifiedClaims(discovery: Discovery, idToken: string): Promise<Record<string, unknown>> {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
  expect(alg).toBe('RS256');
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = keys.find((k) => k.kid === kid);
  expect(jwk, 'signing key in the JWKS').toBeDefined();
  const ok = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  expect(ok, 'ID token signature').toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

async function exchange(discovery: Discovery, code: string, verifier: string, auth: 'basic' | 'post') {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  else Object.assign(form, { client_id: clientId, client_secret: clientSecret });
  const res = await fetch(discovery.token_endpoint, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  expect(res.status).toBe(200);
  return (await res.json()) as { id_token: string; access_token: string };
}

function newPkce() {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

/** Starts a flow; returns the sign-in form's page and where it posts. */
async function startFlow(browser: Browser, discovery: Discovery) {
  const pkce = newPkce();
  const state = base64url(randomBytes(12));
  const nonce = base64url(randomBytes(12));
  const page = await browser.follow(authorizeUrl(discovery, pkce, state, nonce));
  return { pkce, state, nonce, page };
}

const formAction = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';

function codeFrom(location: string | null, state: string): string {
  expect(location).toMatch(new RegExp(`^${redirectUri.replace(/[.?]/g, '\\$&')}\\?`));
  const params = new URL(location as string).searchParams;
  expect(params.get('state')).toBe(state);
  return params.get('code') ?? '';
}

describe('demo IdP', () => {
  it('publishes discovery for a code flow with PKCE, the groups scope and RP-initiated logout', async () => {
    const d = await discover();
    expect(d.issuer).toBe(issuer);
    expect(d.response_types_supported).toEqual(['code']);
    expect(d.code_challenge_methods_supported).toContain('S256');
    expect(d.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'groups']));
    expect(d.claims_supported).toEqual(expect.arrayContaining(['email', 'email_verified', 'name', 'groups']));
    expect(d.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(d.end_session_endpoint).toBe(`${issuer}/session/end`);
  });

  it('signs a person in through the login form and puts email and groups in the ID token', async () => {
    const discovery = await discover();
    const browser = new Browser();
    const { pkce, state, nonce, page } = await startFlow(browser, discovery);

    expect(page.status).toBe(200);
    expect(page.html).toContain(`<h1>${IDP_TITLE}</h1>`);
    expect(page.html).toMatch(/<label for="email">Email<\/label>/);
    expect(page.html).toMatch(/<label for="password">Password<\/label>/);
    expect(page.html).toContain('<button type="submit">Sign in</button>');
    expect(page.html).toContain('demo data');
    const action = formAction(page.html);
    expect(action).toMatch(/^\/interaction\/[\w-]+\/login$/);

    const wrong = await browser.follow(action, { form: { email: 'Alice@Example.com', password: 'not-her-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain(`<p role="alert" id="signin-error">${WRONG_CREDENTIALS}</p>`);
    expect(wrong.html).toContain('value="Alice@Example.com"');

    const unknown = await browser.follow(action, { form: { email: 'nobody@example.com', password: 'alice-demo-1' } });
    expect(unknown.html).toContain(WRONG_CREDENTIALS);

    const done = await browser.follow(action, { form: { email: 'Alice@Example.com', password: 'alice-demo-1' } });
    const tokens = await exchange(discovery, codeFrom(done.location, state), pkce.verifier, 'basic');
    const claims = await verifiedClaims(discovery, tokens.id_token);
    expect(claims).toMatchObject({
      iss: issuer,
      aud: clientId,
      nonce,
      sub: 'alice@example.com',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Martin',
      groups: ['engineering'],
    });

    // The IdP session now exists: a second authorization needs no form, and the post method works too.
    const again = await startFlow(browser, discovery);
    const second = await exchange(discovery, codeFrom(again.page.location, again.state), again.pkce.verifier, 'post');
    expect((await verifiedClaims(discovery, second.id_token)).email).toBe('alice@example.com');
  });

  it('sends the groups claim that makes frank an admin', async () => {
    const discovery = await discover();
    const browser = new Browser();
    const { pkce, state, page } = await startFlow(browser, discovery);
    const done = await browser.follow(formAction(page.html), { form: { email: 'frank@example.com', password: 'frank-demo-1' } });
    const claims = await verifiedClaims(discovery, (await exchange(discovery, codeFrom(done.location, state), pkce.verifier, 'basic')).id_token);
    expect(claims.groups).toContain('mfa-portal-admins');
  });

  it('rejects a code exchanged without the PKCE verifier or with a wrong client secret', async () => {
    const discovery = await discover();
    const browser = new Browser();
    const { state, page } = await startFlow(browser, discovery);
    const done = await browser.follow(formAction(page.html), { form: { email: 'bob@example.com', password: 'bob-demo-1' } });
    const code = codeFrom(done.location, state);
    const post = (form: Record<string, string>) =>
      fetch(discovery.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    const wrongSecret = await post({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: 'wrong', code_verifier: newPkce().verifier });
    expect(wrongSecret.status).toBe(401);
    const wrongVerifier = await post({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: clientSecret, code_verifier: newPkce().verifier });
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('ends the IdP session on RP-initiated logout and returns to the portal', async () => {
    const discovery = await discover();
    const browser = new Browser();
    const { pkce, state, page } = await startFlow(browser, discovery);
    const done = await browser.follow(formAction(page.html), { form: { email: 'carol@example.com', password: 'carol-demo-1' } });
    const { id_token } = await exchange(discovery, codeFrom(done.location, state), pkce.verifier, 'basic');

    const endSession = new URL(discovery.end_session_endpoint);
    endSession.search = new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: postLogoutRedirectUri }).toString();
    const confirm = await browser.follow(endSession.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>');
    const logoutForm = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.html);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutForm?.[2] ?? '')?.[1] ?? '';
    const signedOut = await browser.follow(logoutForm?.[1] ?? '', { form: { xsrf, logout: 'yes' } });
    expect(signedOut.location).toBe(postLogoutRedirectUri);

    const afterwards = await startFlow(browser, discovery);
    expect(afterwards.page.status).toBe(200);
    expect(afterwards.page.html).toContain('<button type="submit">Sign in</button>');
  });
});
