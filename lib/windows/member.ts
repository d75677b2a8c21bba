import 'server-only';
import { and, desc, eq, or } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { programCategories, programUsers, userWindows } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';

/** What a member's page says about one IAM user's windows: the extensions used of the category's limits, a waiting request, the last rejection. */
export type MemberWindowInfo = {
  used: number;
  maxCount: number;
  maxDays: number;
  pending: { endsAt: Date; days: number | null } | null;
  rejected: { endsAt: Date; note: string | null; decidedAt: Date | null } | null;
};

/** For the actor's own IAM users only (the session's principals). */
export async function getMemberWindowInfo(actor: Actor): Promise<Map<string, MemberWindowInfo>> {
  const keys = actor.principals;
  if (!keys.length) return new Map();
  const db = await getDb();
  const mine = (t: typeof userWindows | typeof programUsers) => or(...keys.map((k) => and(eq(t.accountId, k.accountId), eq(t.userName, k.userName))));
  const [windows, users, categories] = await Promise.all([
    db.select().from(userWindows).where(and(eq(userWindows.kind, 'extension'), mine(userWindows))).orderBy(desc(userWindows.id)),
    db.select({ accountId: programUsers.accountId, userName: programUsers.userName, categoryId: programUsers.categoryId }).from(programUsers).where(mine(programUsers)),
    db.select({ id: programCategories.id, maxDays: programCategories.extensionMaxDays, maxCount: programCategories.extensionMaxCount }).from(programCategories),
  ]);
  const limits = new Map(categories.map((c) => [c.id, c]));
  const out = new Map<string, MemberWindowInfo>();
  for (const k of keys) {
    const key = `${k.accountId}/${k.userName}`;
    const own = windows.filter((w) => w.accountId === k.accountId && w.userName === k.userName);
    const categoryId = users.find((u) => u.accountId === k.accountId && u.userName === k.userName)?.categoryId ?? null;
    const limit = categoryId === null ? undefined : limits.get(categoryId);
    const pending = own.find((w) => w.status === 'pending');
    const latest = own[0];
    out.set(key, {
      used: own.filter((w) => w.status === 'active' || w.status === 'ended').length,
      maxCount: limit?.maxCount ?? 0,
      maxDays: limit?.maxDays ?? 0,
      pending: pending ? { endsAt: pending.endsAt, days: pending.days } : null,
      rejected: latest?.status === 'rejected' ? { endsAt: latest.endsAt, note: latest.decisionNote, decidedAt: latest.decidedAt } : null,
    });
  }
  return out;
}
