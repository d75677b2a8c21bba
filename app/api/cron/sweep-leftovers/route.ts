import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { sweepLeftovers } from '@/lib/enrollment/leftovers';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/** Scheduled clean-up of abandoned enrollments: the scheduler's bearer token only (admins use the admin page's button). */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const results = await sweepLeftovers(auth.actor);
  return NextResponse.json({ results }, { headers: { 'Cache-Control': 'no-store' } });
}

export const POST = withRequestLog(handlePost);
