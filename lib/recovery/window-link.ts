import 'server-only';
import type { Db } from '@/lib/db/client';
import { fail, type ActionResult } from '@/lib/actions/result';
import type { Actor } from '@/lib/auth/types';
import type { LinkedWindow } from './state';

/**
 * The only place lib/recovery meets lib/windows: the grace is a window of kind 'grace' (openWindow), and a request's
 * end is read from its window. Interim until the windows core is merged: no window can be opened or read.
 */
export async function windowsOf(_db: Db, _ids: readonly number[]): Promise<Map<number, LinkedWindow>> {
  void _db;
  void _ids;
  return new Map();
}

export type GraceInput = { accountId: string; userName: string; endsAt: Date; reason: string; recoveryId: number; requestedBy: string };

export async function openGrace(_actor: Actor, _input: GraceInput): Promise<ActionResult<{ id: number; endsAt: Date }>> {
  void _actor;
  void _input;
  return fail('WindowsUnavailable', 'The grace could not be opened: the windows module is not installed.');
}
