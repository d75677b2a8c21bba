import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { userWindows } from '@/lib/db/schema';
import { ok, type ActionResult } from '@/lib/actions/result';
import type { Actor } from '@/lib/auth/types';
import { openWindow } from '@/lib/windows/apply';
import type { LinkedWindow } from './state';

/**
 * The only place lib/recovery meets lib/windows: the grace is a window of kind 'grace' (openWindow), and a request's
 * end is read from its window (closed as 'enrolled' or 'expired' by lib/windows). lib/windows is used, never changed.
 */
export async function windowsOf(db: Db, ids: readonly number[]): Promise<Map<number, LinkedWindow>> {
  const rows = await db
    .select({ id: userWindows.id, status: userWindows.status, endsAt: userWindows.endsAt, endedAt: userWindows.endedAt, endReason: userWindows.endReason })
    .from(userWindows)
    .where(inArray(userWindows.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r]));
}

export type GraceInput = { accountId: string; userName: string; endsAt: Date; reason: string; recoveryId: number; requestedBy: string };

export async function openGrace(actor: Actor, input: GraceInput, db: Db): Promise<ActionResult<{ id: number; endsAt: Date }>> {
  const result = await openWindow(actor, { ...input, kind: 'grace' });
  if (result.status !== 'error' || result.code !== 'Partial') return result;
  // The grace is open; only a previous window's policy was left attached (the expiry run retries it).
  const [open] = await db
    .select({ id: userWindows.id, endsAt: userWindows.endsAt })
    .from(userWindows)
    .where(and(eq(userWindows.recoveryId, input.recoveryId), eq(userWindows.status, 'active')));
  return open ? ok(open, result.message) : result;
}
