import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { memoryAdapter } from './idp-adapter';
import { errorPage, loginPage, logoutPage, signedOutPage } from './idp-pages';
import type { DemoPerson } from './people';
import { freePort } from './ports';

export type StartIdpOptions = {
  /** Defaults to a free port. */
  port?: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  people: readonly DemoPerson[];
  clientName?: string;
};

export type Idp = { issuer: string; stop(): Promise<void> };

export const IDP_SCOPES = ['openid', 'email', 'profile', 'groups'] as const;

const MAX_FORM_BYTES = 16 * 1024;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/**
 * A real OpenID Provider for the demo and tests: one confidential client, the demo people, a login form.
 * Everything is in memory and per start (signing key, cookie keys, sessions).
 */
export async function startIdp(options: StartIdpOptions): Promise<Idp> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const byEmail = new Map(options.people.map((p) => [p.email.toLowerCase(), p]));
  const clientName = options.clientName ?? 'MFA Portal';

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        client_name: clientName,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        // A client registered for basic also authenticates with client_secret_post in oidc-provider.
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: [...IDP_SCOPES],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // The portal reads email and groups from the ID token, without a userinfo call.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const person = byEmail.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: person.email, email_verified: true, name: person.name, groups: [...person.groups] }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(`${out.error}: ${out.error_description ?? 'the request could not be completed'}`);
    },
    cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingKey()] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  const callback = provider.callback();

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid) throw new Error('interaction mismatch');
    const { prompt, params } = interaction;

    if (prompt.name === 'login') {
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const email = (form.get('email') ?? '').trim();
        const person = byEmail.get(email.toLowerCase());
        if (!person || person.password !== form.get('password')) {
          sendHtml(res, 401, loginPage({ action: `/interaction/${uid}/login`, email, error: true, clientName }));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: person.email.toLowerCase() } }, { mergeWithLastSubmission: false });
        return;
      }
      sendHtml(res, 200, loginPage({ action: `/interaction/${uid}/login`, clientName }));
      return;
    }

    if (prompt.name === 'consent') {
      // First-party client: consent is implied, so grant exactly what was asked for.
      const accountId = interaction.session?.accountId;
      if (!accountId) throw new Error('consent without a session');
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error('grant not found');
      const details = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }

    sendHtml(res, 400, errorPage(`Unsupported prompt ${prompt.name}.`));
  }

  const server = createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) {
      void callback(req, res);
      return;
    }
    handleInteraction(req, res, match[1] as string, match[2]).catch((error: unknown) => {
      if (res.headersSent) return;
      const expired = error instanceof Error && error.name === 'SessionNotFound';
      sendHtml(
        res,
        400,
        errorPage(expired ? 'This sign-in page has expired. Go back to the portal and sign in again.' : `Sign-in failed: ${(error as Error).message}`),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
