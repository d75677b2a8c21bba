import 'server-only';
import { and, eq, gte, inArray } from 'drizzle-orm';
import { enrollmentEvents } from '@/lib/db/schema';
import type { Principal } from '@/lib/auth/types';
import type { EventKind } from './events';

/** The enrollment events of one IAM user, of these kinds, since a moment, and with this outcome when one is given. */
export const userEventsSince = (principal: Pick<Principal, 'accountId' | 'userName'>, kinds: readonly EventKind[], since: Date, outcome?: 'success' | 'failure') =>
  and(
    eq(enrollmentEvents.accountId, principal.accountId),
    eq(enrollmentEvents.userName, principal.userName),
    inArray(enrollmentEvents.kind, [...kinds]),
    gte(enrollmentEvents.at, since),
    outcome ? eq(enrollmentEvents.outcome, outcome) : undefined,
  );
