/**
 * The sign-in index: email tag (MFA_EMAIL_TAG_KEY, trimmed, case-insensitive) to the IAM users that carry it, kept in
 * the stored inventory rows (`inventory_users.email_tag`, migration 0016) by every write of a row: full runs, per-user
 * re-reads, the portal's own updates. A company sign-in reads its candidates here instead of listing every user.
 */
import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventoryUsers } from '@/lib/db/schema';
import { getEnv } from '@/lib/env';
import type { UserRef } from '@/lib/iam-identifiers';

/** An email as the portal compares them: trimmed and lower-cased; null when blank. */
export function normalizedEmail(value: string | null | undefined): string | null {
  return value?.trim().toLowerCase() || null;
}

/** The person's email from an IAM user's tags. */
export function emailTagOf(tags: Readonly<Record<string, string>>, key: string = getEnv().MFA_EMAIL_TAG_KEY): string | null {
  return normalizedEmail(tags[key]);
}

/** The index columns of a stored row, from its tags (and the key they were read with). */
export function emailIndexColumns(tags: Readonly<Record<string, string>>, key: string = getEnv().MFA_EMAIL_TAG_KEY) {
  return { emailTag: emailTagOf(tags, key), emailTagKey: key };
}

export type IndexedUser = UserRef & { arn: string };

export type EmailLookup = {
  /** Stored users of the given accounts whose email tag was this email when last read: to be confirmed live. */
  candidates: IndexedUser[];
  /**
   * Accounts with no row read under the current tag key: no inventory yet (or only under another key), so the index
   * cannot answer for them.
   */
  unindexed: string[];
};

export async function lookupEmail(db: Db, email: string, accountIds: readonly string[], key: string = getEnv().MFA_EMAIL_TAG_KEY): Promise<EmailLookup> {
  if (accountIds.length === 0) return { candidates: [], unindexed: [] };
  const u = inventoryUsers;
  // One text[] parameter, not one per account: a statement with hundreds of parameters costs more to prepare than to
  // run. Account ids are 12 digits (lib/env.ts checks them), so the array literal needs no quoting.
  const ids = `{${accountIds.join(',')}}`;
  const [candidates, indexed] = await Promise.all([
    db
      .select({ accountId: u.accountId, userName: u.userName, arn: u.arn })
      .from(u)
      .where(and(eq(u.emailTagKey, key), eq(u.emailTag, email), sql`${u.accountId} = any(${ids}::text[])`)),
    // One probe of the primary key per account, so the cost does not grow with the number of users.
    db
      .select({ accountId: sql<string>`a.id` })
      .from(sql`unnest(${ids}::text[]) as a(id)`)
      .where(sql`exists (select 1 from ${u} where ${u.accountId} = a.id and ${u.emailTagKey} = ${key})`),
  ]);
  const covered = new Set(indexed.map((r) => r.accountId));
  return { candidates, unindexed: accountIds.filter((id) => !covered.has(id)) };
}
