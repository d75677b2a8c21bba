import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { portalSessions, type PortalSessionRow } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { getEnv } from '@/lib/env';
import { rederiveIdentity } from './principals';
import { assertRole } from './roles';
import type { Actor, PortalIdentity } from './types';
import { log } from '@/lib/log';

export type SessionEndReason = NonNullable<PortalSessionRow['endReason']>;

export type SessionPolicy = { maxAgeSeconds: number; idleSeconds: number; rolesRefreshSeconds: number };

export function sessionPolicy(): SessionPolicy {
  const env = getEnv();
  return {
    maxAgeSeconds: env.MFA_SESSION_MAX_HOURS * 3600,
    idleSeconds: env.MFA_SESSION_IDLE_MINUTES * 60,
    rolesRefreshSeconds: env.MFA_SESSION_ROLES_REFRESH_MINUTES * 60,
  };
}

/** Re-reads roles and principals from IAM / the kept groups claim; injectable so tests can count calls. */
export type Rederive = (identity: PortalIdentity, groupsClaim: readonly string[]) => Promise<PortalIdentity>;

type Options = { now?: Date; policy?: SessionPolicy; rederive?: Rederive };

/** last_seen_at is written at most this often: enough precision for an idle timeout of minutes, fewer writes. */
const LAST_SEEN_GRANULARITY_MS = 15_000;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function identityOf(row: PortalSessionRow): PortalIdentity {
  return { id: row.person, email: row.email, name: row.name, method: row.method, roles: row.roles, principals: row.principals };
}

/** Opens the row a new sign-in's cookie will name; audited. */
export async function startSession(
  db: Db,
  identity: PortalIdentity,
  input: { groupsClaim?: readonly string[]; idToken?: string } & Omit<Options, 'rederive'> = {},
): Promise<{ id: string; createdAt: Date; expiresAt: Date }> {
  const now = input.now ?? new Date();
  const policy = input.policy ?? sessionPolicy();
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + policy.maxAgeSeconds * 1000);
  await db.insert(portalSessions).values({
    id,
    person: identity.id,
    name: identity.name,
    email: identity.email,
    method: identity.method,
    roles: identity.roles,
    principals: identity.principals,
    groupsClaim: [...(input.groupsClaim ?? [])],
    idToken: input.idToken ?? null,
    createdAt: now,
    lastSeenAt: now,
    rolesCheckedAt: now,
    expiresAt,
    idleTimeoutSeconds: policy.idleSeconds,
  });
  await recordAudit(db, {
    actor: identity.id,
    action: 'session.start',
    target: `session:${id}`,
    outcome: 'success',
    detail: { method: identity.method, roles: identity.roles, expiresAt: expiresAt.toISOString() },
  });
  return { id, createdAt: now, expiresAt };
}

/**
 * Ends a live session once (later calls change nothing) and audits it. Returns whether this call ended it.
 * `by` is who ended it: the person on sign-out, an admin, or `system` for expiry.
 */
export async function endSession(db: Db, id: string, reason: SessionEndReason, by: string, now: Date = new Date()): Promise<boolean> {
  const ended = await db
    .update(portalSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(portalSessions.id, id), isNull(portalSessions.endedAt)))
    .returning({ person: portalSessions.person });
  if (ended.length === 0) return false;
  await recordAudit(db, { actor: by, action: 'session.end', target: `session:${id}`, outcome: 'success', detail: { person: ended[0]!.person, reason } });
  return true;
}

/**
 * The actor behind a session id, or null when the session is unknown, ended, past its absolute expiry or idle too
 * long (the latter two end it). Never moves the absolute expiry. Roles and principals older than the refresh
 * interval are re-derived first; a change is audited. If re-deriving fails (AWS unreachable) the session keeps
 * only the member role until it succeeds: a lapse must not keep an admin's rights alive.
 */
export async function resolveSession(db: Db, id: string, options: Options = {}): Promise<Actor | null> {
  const now = options.now ?? new Date();
  const policy = options.policy ?? sessionPolicy();
  const [row] = await db.select().from(portalSessions).where(eq(portalSessions.id, id)).limit(1);
  if (!row || row.endedAt) return null;
  if (now.getTime() >= row.expiresAt.getTime()) {
    await endSession(db, id, 'expired', 'system', now);
    return null;
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= row.idleTimeoutSeconds * 1000) {
    await endSession(db, id, 'idle', 'system', now);
    return null;
  }

  let identity = identityOf(row);
  const patch: Partial<PortalSessionRow> = {};
  if (now.getTime() - row.rolesCheckedAt.getTime() >= policy.rolesRefreshSeconds * 1000) {
    const fresh = await (options.rederive ?? rederiveIdentity)(identity, row.groupsClaim).catch((error: unknown) => {
      log.error({ errorName: (error as Error).name }, 'session: roles could not be re-derived; the session keeps the member role until the next check');
      return null;
    });
    if (!fresh) {
      identity = { ...identity, roles: ['member'] };
    } else {
      const arns = (p: PortalIdentity) => p.principals.map((x) => x.arn);
      if (!sameList(fresh.roles, row.roles) || !sameList(arns(fresh), arns(identity))) {
        await recordAudit(db, {
          actor: 'system',
          action: 'session.roles',
          target: `session:${id}`,
          outcome: 'success',
          detail: { person: row.person, before: { roles: row.roles, principals: arns(identity) }, after: { roles: fresh.roles, principals: arns(fresh) } },
        });
      }
      identity = { ...identity, roles: fresh.roles, principals: fresh.principals, email: fresh.email };
      Object.assign(patch, { roles: fresh.roles, principals: fresh.principals, email: fresh.email, rolesCheckedAt: now });
    }
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS) patch.lastSeenAt = now;
  if (Object.keys(patch).length > 0) {
    await db.update(portalSessions).set(patch).where(and(eq(portalSessions.id, id), isNull(portalSessions.endedAt)));
  }
  return { ...identity, authTime: Math.floor(row.createdAt.getTime() / 1000) };
}

/** A person's sessions, newest first, for the admin page. */
export async function listSessionsFor(db: Db, person: string, limit = 50): Promise<PortalSessionRow[]> {
  return db.select().from(portalSessions).where(eq(portalSessions.person, person)).orderBy(desc(portalSessions.createdAt)).limit(limit);
}

export type SessionState = 'active' | SessionEndReason;

/** What a row means now: an unended row past its expiry or idle limit is already dead, even before a request ends it. */
export function sessionState(row: PortalSessionRow, now: Date = new Date()): SessionState {
  if (row.endReason) return row.endReason;
  if (now.getTime() >= row.expiresAt.getTime()) return 'expired';
  if (now.getTime() - row.lastSeenAt.getTime() >= row.idleTimeoutSeconds * 1000) return 'idle';
  return 'active';
}

/** For the admin page: a person's sessions. The domain checks the role itself. */
export async function sessionsOfPerson(actor: Actor, person: string, db?: Db): Promise<PortalSessionRow[]> {
  assertRole(actor.roles, 'admin', 'Seeing sessions');
  return listSessionsFor(db ?? (await getDb()), person.trim());
}

/** An admin ends someone's session; audited as theirs. False when it had already ended. */
export async function endSessionAsAdmin(actor: Actor, id: string, db?: Db): Promise<boolean> {
  assertRole(actor.roles, 'admin', 'Ending a session');
  return endSession(db ?? (await getDb()), id, 'ended-by-admin', actor.id);
}
