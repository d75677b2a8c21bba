/** Sign-in: throttles and server-side sessions (lib/auth). */
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * An attempt under a rate limit that has been let through but not yet recorded as an enrollment event. Taken under a
 * transaction-scoped advisory lock together with the count, so parallel attempts cannot all see room for one more;
 * removed in the transaction that records the attempt's event (or when the attempt ends without one).
 */
export const rateLimitHolds = pgTable(
  'rate_limit_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    accountId: text('account_id').notNull(),
    userName: text('user_name').notNull(),
  },
  (t) => [index('rate_limit_holds_user_idx').on(t.accountId, t.userName, t.kind, t.at)],
);

/** A failed access-key sign-in (AWS refused the keys): counted per key id and per client address to throttle guessing. */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    keyId: text('key_id').notNull(),
    /** From the trusted proxy header only; null when none is configured. */
    address: text('address'),
  },
  (t) => [index('sign_in_failures_key_idx').on(t.keyId, t.at), index('sign_in_failures_address_idx').on(t.address, t.at)],
);


/**
 * One row per sign-in (issue 11 §1): the session cookie carries only the row's id, so the server can end a session
 * (sign-out, an admin, idle or absolute expiry) and a replayed cookie is refused. Roles and principals are re-derived
 * from IAM groups and the IdP's groups claim (kept from sign-in) every MFA_SESSION_ROLES_REFRESH_MINUTES.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    /** 256 random bits, base64url; the only thing the JWT holds. */
    id: text('id').primaryKey(),
    /** The person's stable id (email or IAM user ARN), as in the audit log. */
    person: text('person').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    method: text('method', { enum: ['oidc', 'aws-keys'] }).notNull(),
    roles: jsonb('roles').$type<('member' | 'admin' | 'security')[]>().notNull(),
    principals: jsonb('principals').$type<{ accountId: string; userName: string; arn: string }[]>().notNull(),
    /** The IdP's groups claim at sign-in (OIDC only): re-derivation reuses it, IAM groups are read afresh. */
    groupsClaim: jsonb('groups_claim').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
    rolesCheckedAt: timestamp('roles_checked_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Fixed at sign-in; no request moves it. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    idleTimeoutSeconds: integer('idle_timeout_seconds').notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endReason: text('end_reason', { enum: ['sign-out', 'idle', 'expired', 'ended-by-admin'] }),
    /** The IdP's ID token from sign-in (OIDC only), kept server-side as the id_token_hint of RP-initiated logout. */
    idToken: text('id_token'),
  },
  (t) => [index('portal_sessions_person_idx').on(t.person, t.createdAt)],
);

export type PortalSessionRow = typeof portalSessions.$inferSelect;
