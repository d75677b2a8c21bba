import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { and, eq, lt, sql } from 'drizzle-orm';
import { fail } from '@/lib/actions/result';
import type { Principal } from '@/lib/auth/types';
import { getDb, type Db } from '@/lib/db/client';
import { holdLease } from '@/lib/ops/lifecycle';
import { enrollmentEvents, rateLimitHolds } from '@/lib/db/schema';
import { userEventsSince } from './event-filter';
import { nextAllowedAt, RATE_LIMITS, rateLimitMessage, type LimitKind } from './rate-limits';

type Who = Pick<Principal, 'accountId' | 'userName'>;
type Hold = { id: number; event: string; who: Who; settled: boolean };

/** The hold of the attempt running in this async context, so that recording its event releases it in the same transaction. */
const currentHold = new AsyncLocalStorage<Hold>();

/**
 * Runs `attempt` when this kind of check is under its limit, else returns a RateLimited result naming when the next try
 * is allowed. Counting and taking a place happen in one transaction under an advisory lock for (kind, user): parallel
 * attempts queue there, and each one let through holds its place until its enrollment event is recorded, so at most
 * `max` attempts reach AWS however many arrive at once.
 */
export async function withRateLimit<T>(principal: Who, kind: LimitKind, attempt: () => Promise<T>, now = new Date()) {
  const limit = RATE_LIMITS[kind];
  const since = new Date(now.getTime() - limit.windowMs);
  const db = await getDb();
  const taken = await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`rate-limit|${kind}|${principal.accountId}|${principal.userName}`}))`);
    const who = and(eq(rateLimitHolds.kind, kind), eq(rateLimitHolds.accountId, principal.accountId), eq(rateLimitHolds.userName, principal.userName));
    await tx.delete(rateLimitHolds).where(and(who, lt(rateLimitHolds.at, since)));
    // One statement, so one snapshot: an attempt that commits its event (and drops its hold) between two separate
    // reads would be missed by both.
    const counted = await tx
      .select({ at: enrollmentEvents.at })
      .from(enrollmentEvents)
      .where(userEventsSince(principal, [limit.event], since, limit.outcome))
      .unionAll(tx.select({ at: rateLimitHolds.at }).from(rateLimitHolds).where(who));
    // Attempts that overtook this one while it waited for the lock carry later times than `now`: they still count.
    const times = counted.map((r) => new Date(Math.min(r.at.getTime(), now.getTime())));
    const next = nextAllowedAt(times, limit, now);
    if (next) return { refused: true as const, next };
    const [row] = await tx.insert(rateLimitHolds).values({ kind, accountId: principal.accountId, userName: principal.userName, at: now }).returning({ id: rateLimitHolds.id });
    return { refused: false as const, id: row!.id };
  });
  if (taken.refused) return fail('RateLimited', rateLimitMessage(limit, taken.next, now));
  const hold: Hold = { id: taken.id, event: limit.event, who: principal, settled: false };
  const drop = async () => void (await db.delete(rateLimitHolds).where(eq(rateLimitHolds.id, hold.id)));
  // A shutdown that abandons the attempt gives its place back: it does not count against the user.
  const dropLease = holdLease(`rate-limit-hold:${hold.id}`, drop);
  try {
    return await currentHold.run(hold, attempt);
  } finally {
    dropLease();
    // Ended without recording its event (e.g. not this user's device): it does not count.
    if (!hold.settled) await drop();
  }
}

/** Inside the transaction that records an enrollment event: the attempt's hold gives way to the event it becomes. */
export async function releaseHoldFor(tx: Db, event: { kind: string; principal: Who }): Promise<void> {
  const hold = currentHold.getStore();
  if (!hold || hold.settled || hold.event !== event.kind) return;
  if (hold.who.accountId !== event.principal.accountId || hold.who.userName !== event.principal.userName) return;
  await tx.delete(rateLimitHolds).where(eq(rateLimitHolds.id, hold.id));
  hold.settled = true;
}
