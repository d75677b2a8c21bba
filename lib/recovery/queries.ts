import 'server-only';
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { recoveryRequests, type RecoveryRequestRow } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { isOpen, recoveryState, type RecoveryView } from './state';
import { windowsOf } from './window-link';

async function withState(db: Db, rows: RecoveryRequestRow[], now = new Date()): Promise<RecoveryView[]> {
  const ids = rows.map((r) => r.windowId).filter((id): id is number => id !== null);
  const windows = ids.length ? await windowsOf(db, ids) : new Map();
  return rows.map((r) => recoveryState(r, r.windowId === null ? null : (windows.get(r.windowId) ?? null), now));
}

/** The IAM user's request that is still open (waiting, or in its grace), if any. */
export async function openRecoveryOf(db: Db, user: { accountId: string; userName: string }): Promise<RecoveryView | null> {
  const rows = await db
    .select()
    .from(recoveryRequests)
    .where(and(eq(recoveryRequests.accountId, user.accountId), eq(recoveryRequests.userName, user.userName), inArray(recoveryRequests.status, ['reported', 'approved'])))
    .orderBy(desc(recoveryRequests.reportedAt));
  return (await withState(db, rows)).find(isOpen) ?? null;
}

/**
 * The member's own requests, newest first: every open one, and those that ended in the last 14 days (so a
 * rejection's reason or a finished grace is still shown). Only the IAM users of the session.
 */
export async function listOwnRecoveries(actor: Actor): Promise<RecoveryView[]> {
  if (actor.principals.length === 0) return [];
  const db = await getDb();
  const mine = or(...actor.principals.map((p) => and(eq(recoveryRequests.accountId, p.accountId), eq(recoveryRequests.userName, p.userName))));
  const rows = await db
    .select()
    .from(recoveryRequests)
    .where(and(mine, sql`(${recoveryRequests.status} IN ('reported', 'approved') OR ${recoveryRequests.reportedAt} > now() - interval '14 days')`))
    .orderBy(desc(recoveryRequests.reportedAt))
    .limit(50);
  return withState(db, rows);
}

/** The admin queue: waiting requests first (oldest first: they have waited longest), then the rest, newest first. */
export async function listRecoveries(actor: Actor, limit = 200): Promise<RecoveryView[]> {
  assertRole(actor.roles, 'admin', 'the recovery queue');
  const db = await getDb();
  const rows = await db
    .select()
    .from(recoveryRequests)
    .orderBy(sql`(${recoveryRequests.status} = 'reported') DESC`, sql`CASE WHEN ${recoveryRequests.status} = 'reported' THEN ${recoveryRequests.reportedAt} END ASC`, desc(recoveryRequests.reportedAt))
    .limit(Math.min(limit, 1000));
  return withState(db, rows);
}

export async function getRecovery(actor: Actor, id: number): Promise<RecoveryView | null> {
  assertRole(actor.roles, 'admin', 'a recovery request');
  const db = await getDb();
  const [row] = await db.select().from(recoveryRequests).where(eq(recoveryRequests.id, id));
  return row ? ((await withState(db, [row]))[0] ?? null) : null;
}
