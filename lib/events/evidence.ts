/** Console sign-in evidence from CloudTrail (ConsoleLogin events, lib/events/apply.ts), for the user pages. */
import 'server-only';
import { and, eq, or } from 'drizzle-orm';
import { hasRole, ForbiddenError } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { consoleSignInEvidence, inventoryUsers } from '@/lib/db/schema';
import { principalKey } from '@/lib/enrollment/ownership';

export type SignInEvidence = { mfaSeenAt: Date | null; withoutMfaSeenAt: Date | null };

/**
 * The latest console sign-ins AWS reported for these IAM users, keyed by principalKey. Admins may ask about anyone;
 * a member only about their own IAM users.
 */
export async function getSignInEvidence(actor: Actor, users: { accountId: string; userName: string }[]): Promise<Map<string, SignInEvidence>> {
  const own = new Set(actor.principals.map(principalKey));
  if (!hasRole(actor.roles, 'admin') && users.some((u) => !own.has(principalKey(u)))) throw new ForbiddenError('admin', "reading another person's sign-in evidence");
  if (users.length === 0) return new Map();
  const e = consoleSignInEvidence;
  const rows = await (await getDb())
    .select({ accountId: e.accountId, userName: e.userName, mfaSeenAt: e.mfaSeenAt, withoutMfaSeenAt: e.withoutMfaSeenAt, createdAt: inventoryUsers.createdAt })
    .from(e)
    .leftJoin(inventoryUsers, and(eq(inventoryUsers.accountId, e.accountId), eq(inventoryUsers.userName, e.userName)))
    .where(or(...users.map((u) => and(eq(e.accountId, u.accountId), eq(e.userName, u.userName)))));
  // A user deleted and created again under the same name is another user: sign-ins before its creation were not its
  // own. CloudTrail's eventTime has whole seconds, so the creation is compared by its second.
  const sinceCreated = (at: Date | null, createdAt: Date | null) => (at && createdAt && at.getTime() < Math.floor(createdAt.getTime() / 1000) * 1000 ? null : at);
  return new Map(rows.map((r) => [principalKey(r), { mfaSeenAt: sinceCreated(r.mfaSeenAt, r.createdAt), withoutMfaSeenAt: sinceCreated(r.withoutMfaSeenAt, r.createdAt) }]));
}
