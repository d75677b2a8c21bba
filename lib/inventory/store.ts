/** The stored inventory rows: an account's replacement after a run, single-row reads and writes (verify, enrollment). */
import 'server-only';
import { and, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventoryAccounts, inventoryUsers } from '@/lib/db/schema';
import type { ClassifiedUser } from './classify';
import type { AccountInventory } from './collect';
import { emailIndexColumns } from './email-index';

export type InventoryUserRow = typeof inventoryUsers.$inferSelect;

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters at 17 columns, and few round trips. */
export const INSERT_BATCH = 500;

export function toRow(u: ClassifiedUser, source: InventoryUserRow['source'], runId: number | null, at: Date): typeof inventoryUsers.$inferInsert {
  return {
    accountId: u.accountId,
    userName: u.userName,
    arn: u.arn,
    path: u.path,
    createdAt: u.createdAt,
    consoleAccess: u.consoleAccess,
    passwordLastUsed: u.passwordLastUsed,
    accessKeyLastUsed: u.accessKeyLastUsed,
    tags: u.tags,
    ...emailIndexColumns(u.tags),
    groups: u.groups,
    devices: u.devices,
    leftoverDevices: u.leftoverDevices,
    mfaState: u.mfaState,
    flags: u.flags,
    flagEvidence: u.flagEvidence,
    source,
    runId,
    updatedAt: at,
  };
}

const excluded = (column: string) => sql.raw(`excluded."${column}"`);

const UPSERT_SET = Object.fromEntries(
  (
    [
      ['arn', 'arn'], ['path', 'path'], ['createdAt', 'created_at'], ['consoleAccess', 'console_access'],
      ['passwordLastUsed', 'password_last_used'], ['accessKeyLastUsed', 'access_key_last_used'], ['tags', 'tags'],
      ['groups', 'groups'], ['devices', 'devices'], ['leftoverDevices', 'leftover_devices'], ['mfaState', 'mfa_state'],
      ['flags', 'flags'], ['flagEvidence', 'flag_evidence'], ['source', 'source'], ['runId', 'run_id'], ['updatedAt', 'updated_at'],
      ['emailTag', 'email_tag'], ['emailTagKey', 'email_tag_key'],
    ] as const
  ).map(([key, column]) => [key, excluded(column)]),
);

/**
 * Upserts a batch of one run's users (INSERT_BATCH rows per statement). Rows the portal wrote (an enrollment,
 * "verify now") after the account's collection began are newer than what was collected and are left alone.
 */
export async function storeUsers(db: Db, runId: number, users: readonly ClassifiedUser[], collectionStartedAt: Date, at = new Date()): Promise<void> {
  for (let i = 0; i < users.length; i += INSERT_BATCH) {
    const batch = users.slice(i, i + INSERT_BATCH).map((u) => toRow(u, 'inventory', runId, at));
    await db
      .insert(inventoryUsers)
      .values(batch)
      .onConflictDoUpdate({
        target: [inventoryUsers.accountId, inventoryUsers.userName],
        set: UPSERT_SET,
        setWhere: sql`${inventoryUsers.source} = 'inventory' or ${inventoryUsers.updatedAt} < ${collectionStartedAt}`,
      });
  }
}

export type AccountSummary = Omit<AccountInventory, 'users' | 'userCount'>;

/**
 * Ends one account's replacement once all its users are stored (storeUsers): in one transaction, deletes the rows
 * this run did not write (users gone from the account; not rows the portal wrote after the collection began) and
 * records the account's outcome.
 */
export async function finishAccount(db: Db, runId: number, inv: AccountSummary, users: number, collectionStartedAt: Date, at = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .delete(inventoryUsers)
      .where(
        and(
          eq(inventoryUsers.accountId, inv.accountId),
          sql`${inventoryUsers.runId} is distinct from ${runId}`,
          lt(inventoryUsers.updatedAt, collectionStartedAt),
        ),
      );
    const accountRow = {
      alias: inv.alias,
      collectedAt: at,
      credentialReportAt: inv.credentialReportAt,
      rootMfaActive: inv.rootMfaActive,
      rootStatus: inv.rootStatus,
      users,
      error: null,
      unattributedLeftovers: inv.unattributedLeftovers,
    };
    await tx
      .insert(inventoryAccounts)
      .values({ runId, accountId: inv.accountId, ...accountRow })
      .onConflictDoUpdate({ target: [inventoryAccounts.runId, inventoryAccounts.accountId], set: accountRow });
  });
}

/** Replaces one account's users in one transaction: upserts what was seen (storeUsers), deletes what was not. */
export async function storeAccount(db: Db, runId: number, inv: Omit<AccountInventory, 'userCount'>, collectionStartedAt: Date): Promise<void> {
  const at = new Date();
  await db.transaction(async (tx) => {
    await storeUsers(tx as unknown as Db, runId, inv.users, collectionStartedAt, at);
    await finishAccount(tx as unknown as Db, runId, inv, inv.users.length, collectionStartedAt, at);
  });
}

/** Users whose stored row the portal wrote after `since` (its own enrollments and live checks). */
export async function recentlyVerifiedUsers(db: Db, accountId: string, since: Date | null): Promise<Set<string>> {
  const rows = await db
    .select({ userName: inventoryUsers.userName })
    .from(inventoryUsers)
    .where(
      and(
        eq(inventoryUsers.accountId, accountId),
        ne(inventoryUsers.source, 'inventory'),
        ...(since ? [gt(inventoryUsers.updatedAt, since)] : []),
      ),
    );
  return new Set(rows.map((r) => r.userName));
}

export async function readUserRow(db: Db, accountId: string, userName: string): Promise<InventoryUserRow | null> {
  const [row] = await db
    .select()
    .from(inventoryUsers)
    .where(and(eq(inventoryUsers.accountId, accountId), eq(inventoryUsers.userName, userName)));
  return row ?? null;
}

export async function upsertUserRow(db: Db, row: typeof inventoryUsers.$inferInsert): Promise<InventoryUserRow> {
  const set: Partial<typeof row> = { ...row };
  delete set.accountId;
  delete set.userName;
  const [out] = await db
    .insert(inventoryUsers)
    .values(row)
    .onConflictDoUpdate({
      target: [inventoryUsers.accountId, inventoryUsers.userName],
      set,
      // A live re-check stamps the row with when its reads began: one that began before the stored row's (two
      // instances applying events of one user, an event and a "verify now") read an older state and must not win.
      // A full run's row (source inventory) is always replaced; storeAccount guards the other direction.
      setWhere: row.updatedAt ? sql`${inventoryUsers.source} = 'inventory' or ${inventoryUsers.updatedAt} <= ${row.updatedAt}` : undefined,
    })
    .returning();
  return out ?? (await readUserRow(db, row.accountId, row.userName))!;
}
