import 'server-only';
import type { AuthOptions, User } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getEnv, oidcConfigured } from '@/lib/env';
import { getDb } from '@/lib/db/client';
import { recordAudit } from '@/lib/audit/log';
import { safeReturnTo } from '@/lib/security/return-to';
import { identityForAccessKeys, identityForEmail, SignInError } from './principals';
import { auditThrottledOnce, clientAddress, recordSignInFailure, signInThrottle } from './throttle';
import { groupsFromClaim } from './roles';
import { endSession, resolveSession, sessionPolicy, startSession } from './sessions';
import { idpLogoutUrl } from './idp-logout';
import type { PortalIdentity } from './types';
import { log } from '@/lib/log';

type OidcProfile = { sub: string; email?: string; email_verified?: unknown; name?: string } & Record<string, unknown>;

/**
 * The IdP's email maps a person to IAM users, so it is trusted only when the IdP says it verified it. Some IdPs send
 * the claim as the string "true". A missing claim is accepted only where OIDC_ALLOW_MISSING_EMAIL_VERIFIED says so.
 */
export function oidcEmailTrusted(profile: Pick<OidcProfile, 'email_verified'> | undefined, allowMissing: boolean): boolean {
  const claim = profile?.email_verified;
  if (claim === true || claim === 'true') return true;
  return claim === undefined && allowMissing;
}
type UserWithIdentity = User & { portal?: PortalIdentity; groupsClaim?: string[] };

const accessKeysInput = z.object({
  accessKeyId: z.string().trim().regex(/^(AKIA|ASIA)[A-Z2-7]{16}$/),
  secretAccessKey: z.string().trim().min(16).max(128).regex(/^\S+$/),
  sessionToken: z
    .string()
    .trim()
    .max(4096)
    .optional()
    .transform((v) => v || undefined),
});

async function audit(actor: string, outcome: 'success' | 'failure', detail: Record<string, unknown>, target?: string) {
  try {
    await recordAudit(await getDb(), { actor, action: 'auth.sign-in', target, outcome, detail });
  } catch (error) {
    // A sign-in must not succeed silently without its audit entry being attempted; log the failure, not the input.
    log.error({ errorName: (error as Error).name }, 'auth: audit write failed for auth.sign-in');
    if (outcome === 'success') throw error;
  }
}

function oidcProvider(): OAuthConfig<OidcProfile>[] {
  const env = getEnv();
  if (!oidcConfigured(env)) return [];
  return [
    {
      id: 'oidc',
      name: env.OIDC_DISPLAY_NAME,
      type: 'oauth',
      wellKnown: `${env.OIDC_ISSUER!.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: 'openid email profile groups' } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
    },
  ];
}

function accessKeyProvider() {
  if (!getEnv().MFA_AWS_KEYS_SIGNIN) return [];
  return [
    CredentialsProvider({
      id: 'aws-keys',
      name: 'AWS access keys',
      credentials: {
        accessKeyId: { label: 'Access key ID', type: 'text' },
        secretAccessKey: { label: 'Secret access key', type: 'password' },
        sessionToken: { label: 'Session token (optional)', type: 'password' },
      },
      // The secret lives only in this call: it is checked with sts:GetCallerIdentity and dropped.
      async authorize(credentials, req) {
        const parsed = accessKeysInput.safeParse(credentials ?? {});
        if (!parsed.success) throw new Error('InvalidInput');
        const keyId = parsed.data.accessKeyId;
        const address = clientAddress(req?.headers);
        // The route refuses these with 429 first (app/api/auth/[...nextauth]); this keeps STS out of reach regardless.
        const throttle = await signInThrottle(keyId, address);
        if (throttle) {
          await auditThrottledOnce(keyId, address, throttle);
          throw new Error('TooManyAttempts');
        }
        try {
          const identity = await identityForAccessKeys(parsed.data);
          return { id: identity.id, name: identity.name, email: identity.email, portal: identity } as UserWithIdentity;
        } catch (error) {
          if (error instanceof SignInError) {
            if (error.code !== 'AwsUnavailable') await recordSignInFailure(keyId, address);
            await audit(`access-key:${keyId}`, 'failure', { method: 'aws-keys', reason: error.code });
            throw new Error(error.code);
          }
          throw error;
        }
      },
    }),
  ];
}

export function getAuthOptions(): AuthOptions {
  const env = getEnv();
  return {
    secret: env.NEXTAUTH_SECRET,
    // The cookie holds only the id of a server-side session row (lib/auth/sessions.ts), which alone decides
    // whether the session lives: next-auth re-issuing the cookie cannot extend the row's absolute expiry.
    session: { strategy: 'jwt', maxAge: sessionPolicy().maxAgeSeconds },
    jwt: { maxAge: sessionPolicy().maxAgeSeconds },
    pages: { signIn: '/signin', error: '/signin' },
    providers: [...oidcProvider(), ...accessKeyProvider()],
    callbacks: {
      // Every redirect next-auth makes (after sign-in, sign-out, errors) goes through the one return-address check.
      redirect({ url }) {
        const origin = new URL(env.NEXTAUTH_URL).origin;
        return new URL(safeReturnTo(url, origin), origin).href;
      },
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'oidc') return Boolean((user as UserWithIdentity).portal);
        const p = profile as OidcProfile | undefined;
        const email = p?.email;
        if (!email || !oidcEmailTrusted(p, env.OIDC_ALLOW_MISSING_EMAIL_VERIFIED)) {
          await audit(`oidc:${p?.sub ?? 'unknown'}`, 'failure', { method: 'oidc', reason: 'EmailNotVerified' });
          return '/signin?error=EmailNotVerified';
        }
        try {
          const groupsClaim = groupsFromClaim(p?.[env.OIDC_GROUPS_CLAIM]);
          (user as UserWithIdentity).portal = await identityForEmail({ email, name: p?.name, groupsClaim });
          (user as UserWithIdentity).groupsClaim = groupsClaim;
          return true;
        } catch (error) {
          const code = error instanceof SignInError ? error.code : 'Default';
          await audit(email.toLowerCase(), 'failure', { method: 'oidc', reason: code });
          return `/signin?error=${code}`;
        }
      },
      async jwt({ token, user, account }) {
        const signingIn = user as UserWithIdentity | undefined;
        if (signingIn?.portal) {
          const idToken = account?.provider === 'oidc' ? account.id_token : undefined;
          const { id } = await startSession(await getDb(), signingIn.portal, { groupsClaim: signingIn.groupsClaim, idToken });
          return { sid: id, authTime: Math.floor(Date.now() / 1000) };
        }
        // next-auth clears the cookie when this throws: an ended or expired session is not re-issued.
        if (typeof token.sid !== 'string' || !(await resolveSession(await getDb(), token.sid))) throw new Error('SessionEnded');
        return token;
      },
      async session({ session, token }) {
        // Only what the browser needs: name and roles, read from the server's row (re-derived roles included).
        const identity = typeof token.sid === 'string' ? await resolveSession(await getDb(), token.sid) : null;
        if (identity) {
          session.user = { name: identity.name, email: identity.email };
          (session as unknown as { roles: string[] }).roles = identity.roles;
        }
        return session;
      },
    },
    events: {
      async signIn({ user }) {
        const identity = (user as UserWithIdentity).portal;
        if (!identity) return;
        await audit(identity.id, 'success', {
          method: identity.method,
          roles: identity.roles,
          principals: identity.principals.map((p) => p.arn),
        });
      },
      async signOut({ token }) {
        if (typeof token?.sid !== 'string') return;
        const db = await getDb();
        const identity = await resolveSession(db, token.sid);
        // The sign-out button sends the browser on to the IdP's end_session_endpoint when this is true.
        const idpLogout = identity ? Boolean(await idpLogoutUrl(db, token.sid)) : false;
        if (identity) await recordAudit(db, { actor: identity.id, action: 'auth.sign-out', outcome: 'success', detail: { idpLogout } }).catch(() => undefined);
        await endSession(db, token.sid, 'sign-out', identity?.id ?? 'unknown');
      },
    },
    logger: {
      error(code, metadata) {
        // next-auth's metadata can hold request details; keep the code and error name only.
        const name = (metadata as { error?: Error } | undefined)?.error?.name ?? (metadata as Error | undefined)?.name;
        log.error({ authCode: code, ...(name ? { errorName: name } : {}) }, `auth: ${code}`);
      },
      warn(code) {
        log.warn({ authCode: code }, `auth: ${code}`);
      },
      debug() {},
    },
  };
}
