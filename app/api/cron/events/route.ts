import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { getEnv } from '@/lib/env';
import { drainEvents } from '@/lib/events/consumer';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** Under the 60 s most schedulers and platforms give a request, with room for the last batch to be applied. */
const DRAIN_BUDGET_MS = 40_000;

/**
 * Scheduled drain of the IAM change event queue (MFA_EVENTS_MODE=cron, or as a catch-up): the scheduler's bearer
 * token only. Applies what the queue holds for a bounded time and answers the counts.
 */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const queueUrl = getEnv().MFA_EVENTS_QUEUE_URL;
  if (!queueUrl) return NextResponse.json({ error: 'MFA_EVENTS_QUEUE_URL is not set' }, { status: 409, headers: { 'Cache-Control': 'no-store' } });
  const result = await drainEvents(queueUrl, DRAIN_BUDGET_MS);
  return NextResponse.json(result, { headers: { 'Cache-Control': 'no-store' } });
}

export const POST = withRequestLog(handlePost);
