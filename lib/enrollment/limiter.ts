import 'server-only';
import { fail } from '@/lib/actions/result';
import type { Principal } from '@/lib/auth/types';
import { userEventTimes } from './events';
import { nextAllowedAt, RATE_LIMITS, rateLimitMessage, type LimitKind } from './rate-limits';

/** A RateLimited result naming when the next try is allowed, or null when this kind of check may go ahead. */
export async function refuseIfRateLimited(principal: Pick<Principal, 'accountId' | 'userName'>, kind: LimitKind, now = new Date()) {
  const limit = RATE_LIMITS[kind];
  const times = await userEventTimes(principal, [limit.event], new Date(now.getTime() - limit.windowMs), limit.outcome);
  const next = nextAllowedAt(times, limit, now);
  return next ? fail('RateLimited', rateLimitMessage(limit, next, now)) : null;
}
