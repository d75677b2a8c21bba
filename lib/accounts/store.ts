import 'server-only';
import { and, asc, eq, ne, notInArray, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { managedAccounts } from '@/lib/db/schema';

export type AccountRecord = typeof managedAccounts.$inferSelect;
const BATCH = 500;
export type AccountSource = AccountRecord['source'];
export type AccountStatus = AccountRecord['status'];

/** One account as a source lists it. */
export type ListedAccount = { id: string; name: string; status: Exclude<AccountStatus, 'gone'>; organizationsState: string | null; email?: string | null };

/**
 * Stores what the source listed now: new accounts appear, known ones are updated, and accounts the source no longer
 * lists become `gone`. Nothing is deleted, so an account's first/last seen dates survive its leaving.
 */
export async function recordListing(db: Db, source: AccountSource, listed: readonly ListedAccount[], now = new Date()): Promise<void> {
  const m = managedAccounts;
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  await db.transaction(async (tx) => {
    // Batched: an organisation may have 10,000 accounts.
    for (let i = 0; i < listed.length; i += BATCH) {
      const rows = listed.slice(i, i + BATCH).map((a) => ({
        accountId: a.id,
        name: a.name,
        source,
        status: a.status,
        organizationsState: a.organizationsState,
        email: a.email ?? null,
        firstSeenAt: now,
        lastSeenAt: now,
        lastManagedAt: a.status === 'managed' ? now : null,
      }));
      await tx
        .insert(m)
        .values(rows)
        .onConflictDoUpdate({
          target: m.accountId,
          set: {
            name: excluded('name'),
            source: excluded('source'),
            status: excluded('status'),
            organizationsState: excluded('organizations_state'),
            email: excluded('email'),
            lastSeenAt: excluded('last_seen_at'),
            lastManagedAt: sql`coalesce(${excluded('last_managed_at')}, ${m.lastManagedAt})`,
          },
        });
    }
    const ids = listed.map((a) => a.id);
    const stillListed = ids.length > 0 ? notInArray(m.accountId, ids) : undefined;
    await tx.update(m).set({ status: 'gone' }).where(and(stillListed, ne(m.status, 'gone')));
  });
}

/** Whether the member role could be assumed at this run. */
export async function recordReachability(db: Db, accountId: string, problem: string | null, now = new Date()): Promise<void> {
  await db
    .update(managedAccounts)
    .set({ reachable: problem === null, unreachableReason: problem, reachabilityCheckedAt: now })
    .where(eq(managedAccounts.accountId, accountId));
}

export async function readAccountRecords(db: Db): Promise<AccountRecord[]> {
  return db.select().from(managedAccounts).orderBy(asc(managedAccounts.accountId));
}

export async function readManagedRecords(db: Db): Promise<AccountRecord[]> {
  return db.select().from(managedAccounts).where(eq(managedAccounts.status, 'managed')).orderBy(asc(managedAccounts.accountId));
}

/** Whether one account is managed now: one primary-key probe, however many accounts the organisation has. */
export async function isManagedRecord(db: Db, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: managedAccounts.accountId })
    .from(managedAccounts)
    .where(and(eq(managedAccounts.accountId, accountId), eq(managedAccounts.status, 'managed')))
    .limit(1);
  return row !== undefined;
}
