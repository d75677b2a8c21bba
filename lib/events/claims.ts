/**
 * Claims of IAM change events in `iam_events_applied`: each CloudTrail event (eventID within its account) is applied
 * once across redeliveries, replays and portal instances.
 */
import 'server-only';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { iamEventsApplied } from '@/lib/db/schema';
import type { IamChangeEvent } from './parse';

/** How long a claimed event may take to apply before another delivery may take it over (the claimer died). */
export const CLAIM_LEASE_SECONDS = 120;

/** Raised for an event another instance is applying right now: the message stays queued and comes back. */
export class EventInProgress extends Error {}

/** The claim row of one event: CloudTrail's eventID within its account. */
const claimOf = (e: Pick<IamChangeEvent, 'accountId' | 'eventId'>) => and(eq(iamEventsApplied.accountId, e.accountId), eq(iamEventsApplied.eventId, e.eventId));

/** Claims the event id: 'claimed' (ours to apply), 'applied' (a replay), or 'in-progress' (another claim within its lease). */
export async function claimEvent(db: Db, e: IamChangeEvent): Promise<'claimed' | 'applied' | 'in-progress'> {
  const rows = await db
    .insert(iamEventsApplied)
    .values({ eventId: e.eventId, eventName: e.eventName, accountId: e.accountId, userName: e.userName, eventTime: e.at })
    .onConflictDoUpdate({
      target: [iamEventsApplied.accountId, iamEventsApplied.eventId],
      set: { claimedAt: sql`now()` },
      setWhere: sql`${iamEventsApplied.appliedAt} is null and ${iamEventsApplied.claimedAt} < now() - ${sql.raw(`interval '${CLAIM_LEASE_SECONDS} seconds'`)}`,
    })
    .returning({ eventId: iamEventsApplied.eventId });
  if (rows.length === 1) return 'claimed';
  const [held] = await db.select({ appliedAt: iamEventsApplied.appliedAt }).from(iamEventsApplied).where(claimOf(e));
  return held?.appliedAt ? 'applied' : 'in-progress';
}

/** The claim of an event whose apply failed: released, so a later delivery applies it. */
export async function releaseClaim(db: Db, e: Pick<IamChangeEvent, 'accountId' | 'eventId'>): Promise<void> {
  await db.delete(iamEventsApplied).where(claimOf(e));
}

export async function markApplied(db: Db, e: Pick<IamChangeEvent, 'accountId' | 'eventId'>): Promise<void> {
  await db.update(iamEventsApplied).set({ appliedAt: sql`now()` }).where(claimOf(e));
}

/**
 * How long a claim is kept: SQS keeps a message at most 14 days and EventBridge retries a delivery for up to a day,
 * so no copy of an older event can still arrive. (A replay after that would only re-read the user again.)
 */
export const CLAIM_RETENTION_DAYS = 15;

/** Deletes the claims no delivery can need any more, so the table stays as large as 15 days of events. */
export async function pruneClaims(db: Db, now: Date = new Date()): Promise<number> {
  const before = new Date(now.getTime() - CLAIM_RETENTION_DAYS * 86_400_000);
  const gone = await db.delete(iamEventsApplied).where(lt(iamEventsApplied.claimedAt, before)).returning({ eventId: iamEventsApplied.eventId });
  return gone.length;
}
