/** The stored inventory rows: an account's replacement after a run, single-row reads and writes (verify, enrollment). */
import 'server-only';
import { and, eq, getTableColumns, gt, lt, ne, sql } from 'drizzle-orm';
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

/** The table's columns (JS key, column), for the batch upsert's statement. */
const USER_COLUMNS = Object.entries(getTableColumns(inventoryUsers));
const PRIMARY_KEY = new Set(['accountId', 'userName']);
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * One batch's upsert, written once: the rows arrive as one JSON parameter (json_to_recordset, keyed by toRow's
 * property names) instead of one parameter per value. drizzle's builder made ~13 MB of short-lived objects for each
 * 500-row statement (a Param and SQL chunks per value: 38% of all the memory an inventory run allocated), which let
 * V8's heap grow to several times the live data; one JSON.stringify makes a few hundred KB.
 */
const UPSERT_BATCH = (() => {
  const record = USER_COLUMNS.map(([key, c]) => `${quoted(key)} ${c.getSQLType()}`).join(', ');
  const columns = USER_COLUMNS.map(([, c]) => quoted(c.name)).join(', ');
  const values = USER_COLUMNS.map(([key]) => `r.${quoted(key)}`).join(', ');
  const updates = USER_COLUMNS.filter(([key]) => !PRIMARY_KEY.has(key)).map(([, c]) => `${quoted(c.name)} = excluded.${quoted(c.name)}`).join(', ');
  return {
    head: sql.raw(`insert into "inventory_users" (${columns}) select ${values} from json_to_recordset(`),
    tail: sql.raw(`::json) as r(${record}) on conflict ("account_id", "user_name") do update set ${updates} where "inventory_users"."source" = 'inventory' or "inventory_users"."updated_at" < `),
  };
})();

/**
 * Upserts a batch of one run's users (INSERT_BATCH rows per statement). Rows the portal wrote (an enrollment,
 * "verify now") after the account's collection began are newer than what was collected and are left alone.
 */
export async function storeUsers(db: Db, runId: number, users: readonly ClassifiedUser[], collectionStartedAt: Date, at = new Date()): Promise<void> {
  for (let i = 0; i < users.length; i += INSERT_BATCH) {
    const rows = JSON.stringify(users.slice(i, i + INSERT_BATCH).map((u) => toRow(u, 'inventory', runId, at)));
    await db.execute(sql`${UPSERT_BATCH.head}${rows}${UPSERT_BATCH.tail}${collectionStartedAt.toISOString()}::timestamptz`);
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
