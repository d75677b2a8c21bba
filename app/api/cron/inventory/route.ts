import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { startRefresh } from '@/lib/inventory/refresh';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * Scheduled inventory refresh: the scheduler's bearer token only (admins start one from the admin pages). Answers at once (202 with
 * the new run, or 409 with the run already in progress); poll the run for progress. startRefresh audits the start.
 */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const result = await startRefresh({ actor: auth.actor, trigger: 'schedule' });
  return NextResponse.json(result, { status: result.started ? 202 : 409, headers: { 'Cache-Control': 'no-store' } });
}

export const POST = withRequestLog(handlePost);
