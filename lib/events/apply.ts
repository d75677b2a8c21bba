/** Applies one IAM change event to the stored inventory: re-reads only the user concerned. */
import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { isManagedAccount } from '@/lib/accounts/registry';
import { getIamUser, type IamUser } from '@/lib/aws/iam';
import { isAwsError } from '@/lib/aws/errors';
import { getDb, type Db } from '@/lib/db/client';
import { consoleSignInEvidence, inventoryUsers } from '@/lib/db/schema';
import { readUserRow, type InventoryUserRow } from '@/lib/inventory/store';
import { verifyUser } from '@/lib/inventory/verify';
import { userArn } from '@/lib/iam-identifiers';
import { holdLease } from '@/lib/ops/lifecycle';
import { countApplied, countDropped } from './counters';
import { claimEvent, EventInProgress, markApplied, releaseClaim } from './claims';
import { parseEventMessage, type DropReason, type IamChangeEvent } from './parse';
import { log } from '@/lib/log';
import { reconcileUserWindowsQuietly } from '@/lib/windows/new-users';

export { EventInProgress };

export type ApplyOutcome =
  | { kind: 'applied'; event: IamChangeEvent }
  | { kind: 'dropped'; reason: DropReason; detail: string; eventId?: string };

const dropped = (reason: DropReason, detail: string, eventId?: string): ApplyOutcome => {
  countDropped(reason);
  log.warn({ reason, ...(eventId ? { eventId } : {}), detail }, `events: IAM event dropped (${reason})`);
  return { kind: 'dropped', reason, detail, ...(eventId ? { eventId } : {}) };
};

/** The user is gone: its row, and its sign-in evidence (a user created later under the name is another user). */
async function deleteRow(db: Db, accountId: string, userName: string): Promise<void> {
  await db.delete(inventoryUsers).where(and(eq(inventoryUsers.accountId, accountId), eq(inventoryUsers.userName, userName)));
  await db.delete(consoleSignInEvidence).where(and(eq(consoleSignInEvidence.accountId, accountId), eq(consoleSignInEvidence.userName, userName)));
}

/** IAM's CreateDate has whole seconds: another creation date, to the second, is another user. */
function isFormerUser(storedCreatedAt: Date | null, liveCreatedAt: string | null): boolean {
  if (!storedCreatedAt || !liveCreatedAt) return false;
  return Math.floor(storedCreatedAt.getTime() / 1000) !== Math.floor(new Date(liveCreatedAt).getTime() / 1000);
}

/** The user as AWS has it now, or null when AWS has no such user. */
async function liveUser(accountId: string, userName: string): Promise<IamUser | null> {
  try {
    return await getIamUser(accountId, userName);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

async function recordSignIn(db: Db, e: IamChangeEvent): Promise<void> {
  const mfa = e.mfaUsed === true;
  await db
    .insert(consoleSignInEvidence)
    .values({ accountId: e.accountId, userName: e.userName, ...(mfa ? { mfaSeenAt: e.at, mfaEventId: e.eventId } : { withoutMfaSeenAt: e.at }) })
    .onConflictDoUpdate({
      target: [consoleSignInEvidence.accountId, consoleSignInEvidence.userName],
      // Events arrive in any order: keep the latest of each kind.
      set: mfa
        ? {
            mfaSeenAt: sql`greatest(${consoleSignInEvidence.mfaSeenAt}, excluded.mfa_seen_at)`,
            mfaEventId: sql`case when ${consoleSignInEvidence.mfaSeenAt} is null or excluded.mfa_seen_at > ${consoleSignInEvidence.mfaSeenAt} then excluded.mfa_event_id else ${consoleSignInEvidence.mfaEventId} end`,
          }
        : { withoutMfaSeenAt: sql`greatest(${consoleSignInEvidence.withoutMfaSeenAt}, excluded.without_mfa_seen_at)` },
    });
}

/**
 * Re-reads one user and stores the row (or removes it when AWS no longer has the user). `known` is false when neither
 * AWS nor the stored inventory knows the user; `row` is the stored row when AWS has the user.
 */
async function refreshUser(db: Db, e: IamChangeEvent, userName: string, now: Date): Promise<{ known: boolean; row: InventoryUserRow | null }> {
  const [live, found] = await Promise.all([liveUser(e.accountId, userName), readUserRow(db, e.accountId, userName)]);
  if (!live) {
    await deleteRow(db, e.accountId, userName);
    return { known: found !== null || e.effect === 'delete', row: null };
  }
  // The row of a former user of this name (deleted and created again, its DeleteUser not applied yet): none of its
  // usage dates, leftovers or sign-ins are this user's.
  const stored = found && isFormerUser(found.createdAt, live.createdAt) ? null : found;
  if (found && !stored) await deleteRow(db, e.accountId, userName);
  const signedInAt = e.effect === 'sign-in' && (!stored?.passwordLastUsed || stored.passwordLastUsed < e.at) ? e.at : undefined;
  const row = await verifyUser({ accountId: e.accountId, userName, arn: live.arn || userArn(e.accountId, userName) }, 'event', now, {
    ...live,
    ...(signedInAt ? { passwordLastUsed: signedInAt } : {}),
  });
  return { known: true, row };
}

/**
 * Whether AWS, read just now, agrees with a console sign-in: the user has a password and, for a sign-in with MFA, an
 * MFA device. The queue accepts messages from every account's forwarder role, so a body is not proof by itself; this
 * keeps a forged "signed in with MFA" from becoming evidence for a user who could not have done so.
 */
const corroborated = (e: IamChangeEvent, row: InventoryUserRow | null) => row !== null && row.consoleAccess && (e.mfaUsed !== true || row.devices.length > 0);

/** A renamed user keeps its console sign-ins (unless the new name already has some: then those are the ones read). */
async function moveEvidence(db: Db, accountId: string, from: string, to: string): Promise<void> {
  const c = consoleSignInEvidence;
  const taken = db.select({ one: sql`1` }).from(c).where(and(eq(c.accountId, accountId), eq(c.userName, to)));
  await db
    .update(c)
    .set({ userName: to })
    .where(and(eq(c.accountId, accountId), eq(c.userName, from), sql`not exists ${taken}`));
}

async function applyEvent(db: Db, e: IamChangeEvent, now: Date): Promise<boolean> {
  if (e.effect === 'rename' && e.newUserName && e.newUserName !== e.userName) {
    await moveEvidence(db, e.accountId, e.userName, e.newUserName);
    await refreshUser(db, e, e.userName, now);
    return (await refreshUser(db, e, e.newUserName, now)).known;
  }
  const { known, row } = await refreshUser(db, e, e.userName, now);
  // A user first seen (created after its category's deadline) gets its new-user window; a user now with MFA leaves theirs.
  if (known) await reconcileUserWindowsQuietly([{ accountId: e.accountId, userName: e.userName }]);
  if (known && e.effect === 'sign-in') {
    if (corroborated(e, row)) await recordSignIn(db, e);
    else log.warn({ eventId: e.eventId, accountId: e.accountId, userName: e.userName }, `events: ConsoleLogin not recorded as evidence: AWS shows no password${e.mfaUsed ? ' or no MFA device' : ''} for the user`);
  }
  return known;
}

/**
 * One SQS message: parsed, checked, claimed by its CloudTrail eventID (so it is applied once across redeliveries
 * and instances) and applied. Resolves to what happened; the caller deletes the message then. Throws (releasing
 * the claim) when applying failed for a reason worth retrying, e.g. AWS unreachable: the message stays queued.
 */
export async function applyEventMessage(body: string, now: Date = new Date()): Promise<ApplyOutcome> {
  const parsed = parseEventMessage(body);
  if (!parsed.ok) return dropped(parsed.reason, parsed.detail);
  const e = parsed.event;
  if (!(await isManagedAccount(e.accountId))) return dropped('outside-organisation', `account ${e.accountId} is not managed by the portal`, e.eventId);
  const db = await getDb();
  const claimed = await claimEvent(db, e);
  if (claimed === 'applied') return dropped('replay', `${e.eventName} was already applied`, e.eventId);
  if (claimed === 'in-progress') throw new EventInProgress(`${e.eventName} ${e.eventId} is being applied by another instance`);
  let known: boolean;
  // Given back by a shutdown that abandons the apply, so the redelivery need not wait for the claim to expire.
  const dropLease = holdLease(`iam-event:${e.accountId}:${e.eventId}`, () => releaseClaim(db, e));
  try {
    known = await applyEvent(db, e, now);
  } catch (error) {
    await releaseClaim(db, e);
    throw error;
  } finally {
    dropLease();
  }
  await markApplied(db, e);
  if (!known) return dropped('unknown-user', `${e.eventName}: no IAM user ${e.userName} in ${e.accountId}`, e.eventId);
  countApplied(e.at);
  return { kind: 'applied', event: e };
}
