import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { managedAccounts } from '@/lib/db/schema';

/**
 * What /api/ready answers. Counts only: a probe is unauthenticated, so it names no account, host, version or error.
 * Reachability is what the last inventory run recorded per account (lib/accounts/store.ts): no AWS call per probe.
 */
export type Readiness = {
  ready: boolean;
  database: 'ok' | 'unreachable' | 'not-migrated';
  accounts: { total: number; reachable: number; unreachable: number; unchecked: number };
};

const journal = path.join(process.cwd(), 'lib/db/migrations/meta/_journal.json');
let newestMigration: number | undefined;

/** The creation time drizzle records for the newest migration in the folder (its journal's `when`). */
export function newestMigrationTime(): number {
  if (newestMigration === undefined) {
    const { entries } = JSON.parse(readFileSync(journal, 'utf8')) as { entries: { when: number }[] };
    newestMigration = Math.max(...entries.map((e) => e.when));
  }
  return newestMigration;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

/** Whether drizzle's ledger records the newest migration of the folder (the migrator applies them in order). */
export async function isMigrated(db: Db, newest = newestMigrationTime()): Promise<boolean> {
  try {
    const result = await db.execute(sql`select max(created_at) as latest from drizzle.__drizzle_migrations`);
    const latest = rowsOf<{ latest: string | number | null }>(result)[0]?.latest;
    return latest !== null && latest !== undefined && Number(latest) >= newest;
  } catch {
    // No ledger at all: nothing was migrated.
    return false;
  }
}

/** Counts the managed accounts by the member-role reachability the last inventory run stored. */
export async function accountReachability(db: Db, managedIds: readonly string[]): Promise<Readiness['accounts']> {
  const rows = managedIds.length === 0 ? [] : await db.select({ id: managedAccounts.accountId, reachable: managedAccounts.reachable }).from(managedAccounts).where(inArray(managedAccounts.accountId, [...managedIds]));
  const known = new Map(rows.map((r) => [r.id, r.reachable]));
  const summary = { total: managedIds.length, reachable: 0, unreachable: 0, unchecked: 0 };
  for (const id of managedIds) {
    const reachable = known.get(id);
    if (reachable === true) summary.reachable++;
    else if (reachable === false) summary.unreachable++;
    else summary.unchecked++;
  }
  return summary;
}

const NO_ACCOUNTS = { total: 0, reachable: 0, unreachable: 0, unchecked: 0 };

/**
 * Ready when the database answers and every migration is applied. Unreachable member roles do not make the portal
 * unready (it serves the other accounts, and the pages say which are unreachable): they are reported as counts.
 */
export async function checkReadiness(open: () => Promise<Db>, managedIds: () => Promise<readonly string[]>): Promise<Readiness> {
  let db: Db;
  try {
    db = await open();
    await db.execute(sql`select 1`);
  } catch {
    return { ready: false, database: 'unreachable', accounts: NO_ACCOUNTS };
  }
  if (!(await isMigrated(db))) return { ready: false, database: 'not-migrated', accounts: NO_ACCOUNTS };
  const accounts = await managedIds()
    .then((ids) => accountReachability(db, ids))
    .catch(() => NO_ACCOUNTS);
  return { ready: true, database: 'ok', accounts };
}
