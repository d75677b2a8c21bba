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

/**
 * Replaces one account's users in one transaction: upserts what was seen, deletes what was not. Rows the
 * portal wrote (an enrollment, "verify now") after this account's collection began are newer than what was
 * collected and are left alone, by both the upsert and the delete.
 */
export async function storeAccount(db: Db, runId: number, inv: AccountInventory, collectionStartedAt: Date): Promise<void> {
  const at = new Date();
  await db.transaction(async (tx) => {
    for (let i = 0; i < inv.users.length; i += INSERT_BATCH) {
      const batch = inv.users.slice(i, i + INSERT_BATCH).map((u) => toRow(u, 'inventory', runId, at));
      await tx
        .insert(inventoryUsers)
        .values(batch)
        .onConflictDoUpdate({
          target: [inventoryUsers.accountId, inventoryUsers.userName],
          set: Object.fromEntries(
            (
              [
                ['arn', 'arn'], ['path', 'path'], ['createdAt', 'created_at'], ['consoleAccess', 'console_access'],
                ['passwordLastUsed', 'password_last_used'], ['accessKeyLastUsed', 'access_key_last_used'], ['tags', 'tags'],
                ['groups', 'groups'], ['devices', 'devices'], ['leftoverDevices', 'leftover_devices'], ['mfaState', 'mfa_state'],
                ['flags', 'flags'], ['flagEvidence', 'flag_evidence'], ['source', 'source'], ['runId', 'run_id'], ['updatedAt', 'updated_at'],
                ['emailTag', 'email_tag'], ['emailTagKey', 'email_tag_key'],
              ] as const
            ).map(([key, column]) => [key, excluded(column)]),
          ),
          setWhere: sql`${inventoryUsers.source} = 'inventory' or ${inventoryUsers.updatedAt} < ${collectionStartedAt}`,
        });
    }
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
      users: inv.users.length,
      error: null,
      unattributedLeftovers: inv.unattributedLeftovers,
    };
    await tx
      .insert(inventoryAccounts)
      .values({ runId, accountId: inv.accountId, ...accountRow })
      .onConflictDoUpdate({ target: [inventoryAccounts.runId, inventoryAccounts.accountId], set: accountRow });
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
